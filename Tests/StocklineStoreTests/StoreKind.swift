import Foundation
import Stockline
import StocklineCore
import StocklineStore
import StocklineTestSupport
import Testing

/// The store implementations every store test runs against, with the same test body.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    /// A fresh, migrated, empty ledger of this kind with a fixed clock and sequential keys.
    ///
    /// PostgreSQL gets a schema of its own on the test server (``PostgresCluster``). When there is no server, the
    /// test fails on CI and is cancelled, with the reason, elsewhere.
    func open() async throws -> StoreFixture {
        let clock = FixedClock()
        let keys = SequentialKeys()
        switch self {
        case .sqlite:
            let ledger = try await TemporaryLedger.make(clock: clock, keys: keys)
            return StoreFixture(inventory: ledger.inventory, clock: clock, keys: keys) { ledger.remove() }
        case .postgres:
            let store = try await Self.postgresStore()
            return StoreFixture(
                inventory: Inventory(store: store, environment: .fixed(clock: clock, keys: keys)), clock: clock,
                keys: keys
            ) { await PostgresCluster.remove(store) }
        }
    }

    /// A migrated PostgreSQL store in a fresh schema, or the test's end when there is no server.
    static func postgresStore() async throws -> PostgresLedgerStore {
        do {
            _ = try await PostgresCluster.url()
        } catch {
            guard !PostgresCluster.isRequired else {
                throw error
            }
            try Test.cancel("PostgreSQL is not available, so this PostgreSQL store test does not run: \(error)")
        }
        return try await PostgresCluster.temporaryStore()
    }
}

/// A ledger a test works on, and how to remove it.
struct StoreFixture: Sendable {
    let inventory: Inventory
    let clock: FixedClock
    let keys: SequentialKeys
    let remove: @Sendable () async -> Void

    init(
        inventory: Inventory, clock: FixedClock, keys: SequentialKeys,
        remove: @escaping @Sendable () async -> Void
    ) {
        self.inventory = inventory
        self.clock = clock
        self.keys = keys
        self.remove = remove
    }

    var store: any LedgerStore { inventory.store }
}

/// Runs `body` on a fresh ledger of `kind` and removes the ledger afterwards, also when `body` throws.
func withLedger<Value>(
    _ kind: StoreKind, isolation: isolated (any Actor)? = #isolation, _ body: (StoreFixture) async throws -> Value
) async throws -> Value {
    let fixture = try await kind.open()
    do {
        let value = try await body(fixture)
        await fixture.remove()
        return value
    } catch {
        await fixture.remove()
        throw error
    }
}

/// Shorthand for a decimal literal; records an issue (instead of crashing) on a typo.
func dec(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Fixed {
    guard let value = Fixed(text) else {
        Issue.record("\(text) is not a decimal", sourceLocation: sourceLocation)
        return .zero
    }
    return value
}

extension StockOperation {
    static func receive(_ sku: String, _ qty: Int, at: String = "WH1", cost: String = "10", lot: String? = nil)
        -> StockOperation
    {
        .receive(.init(sku: sku, qty: Fixed(qty), at: at, unitCost: Fixed(cost), lot: lot))
    }

    static func deliver(_ sku: String, _ qty: Int, from: String = "WH1", order: String? = nil) -> StockOperation {
        .deliver(.init(sku: sku, qty: Fixed(qty), from: from, order: order))
    }

    static func reserve(_ sku: String, _ qty: Int, at: String = "WH1", order: String) -> StockOperation {
        .reserve(.init(sku: sku, qty: Fixed(qty), at: at, order: order))
    }
}
