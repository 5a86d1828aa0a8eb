import Foundation
import Stockline
import StocklineCore
import StocklineStore
import StocklineTestSupport
import Testing

/// Shorthand for a decimal literal; records an issue (instead of crashing) on a typo.
func dec(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Fixed {
    guard let value = Fixed(text) else {
        Issue.record("\(text) is not a decimal", sourceLocation: sourceLocation)
        return .zero
    }
    return value
}

/// A temporary ledger holding ``TestWorld/standard``, removed afterwards: a SQLite file, or a fresh schema on the
/// test PostgreSQL server when `STOCKLINE_TEST_STORE=postgres` (so the service suites run on both stores).
func withStandardWorld<Value>(
    isolation: isolated (any Actor)? = #isolation,
    _ body: (Inventory) async throws -> Value
) async throws -> Value {
    guard ProcessInfo.processInfo.environment["STOCKLINE_TEST_STORE"] == "postgres" else {
        return try await withTemporaryLedger { ledger in
            try await TestWorld.standard.build(in: ledger.inventory)
            return try await body(ledger.inventory)
        }
    }
    let inventory = try await Inventory.scratch(
        postgresURL: try await PostgresCluster.url(), environment: .fixed(clock: FixedClock(), keys: SequentialKeys()))
    do {
        try await TestWorld.standard.build(in: inventory)
        let value = try await body(inventory)
        await inventory.discard()
        return value
    } catch {
        await inventory.discard()
        throw error
    }
}

/// Attempts `operation`, expects it refused with `code`, and expects the ledger untouched: the same store counts,
/// outbox, positions and values of `skus` (and `lots`) everywhere, and `verify()` clean.
@discardableResult
func expectRefusal(
    _ code: String, _ operation: StockOperation, key: String? = nil, in inventory: Inventory, skus: [String],
    lots: [(sku: String, lot: String)] = [], sourceLocation: SourceLocation = #_sourceLocation
) async throws -> StockError? {
    let before = try await LedgerProbe.take(inventory, skus: skus, lots: lots)
    let outcome = try await inventory.attempt(operation, key: key)
    let after = try await LedgerProbe.take(inventory, skus: skus, lots: lots)
    var refusal: StockError?
    switch outcome {
    case .success(let result):
        Issue.record(
            "expected \(code), but \(operation.kind.rawValue) was posted: \(result)", sourceLocation: sourceLocation)
    case .failure(let error):
        refusal = error
        #expect(
            error.code == code, "refused with \(error.code) (\(error)), expected \(code)",
            sourceLocation: sourceLocation)
    }
    #expect(after.counts == before.counts, "the refusal wrote rows", sourceLocation: sourceLocation)
    #expect(after.lastEvent == before.lastEvent, "the refusal wrote events", sourceLocation: sourceLocation)
    #expect(
        after == before, "the refusal changed the ledger:\nbefore \(before)\nafter \(after)",
        sourceLocation: sourceLocation)
    let problems = try await inventory.verify()
    #expect(problems.isEmpty, "verify: \(problems)", sourceLocation: sourceLocation)
    return refusal
}

extension StockOperation {
    static func receive(
        _ sku: String, _ qty: Fixed, at: String = "WH1", cost: Fixed? = Fixed(10), lot: String? = nil,
        serials: [String]? = nil, uom: String? = nil, hold: Bool? = nil
    ) -> StockOperation {
        .receive(.init(sku: sku, qty: qty, at: at, unitCost: cost, lot: lot, serials: serials, uom: uom, hold: hold))
    }

    static func deliver(
        _ sku: String, _ qty: Fixed, from: String = "WH1", lot: String? = nil, serials: [String]? = nil,
        order: String? = nil, uom: String? = nil
    ) -> StockOperation {
        .deliver(.init(sku: sku, qty: qty, from: from, lot: lot, serials: serials, order: order, uom: uom))
    }

    static func reserve(_ sku: String, _ qty: Fixed, at: String = "WH1", order: String, lot: String? = nil)
        -> StockOperation
    {
        .reserve(.init(sku: sku, qty: qty, at: at, order: order, lot: lot))
    }
}
