import Foundation
import Stockline
import StocklineCore
import StocklineStore

/// The ledger the query suites and `verify` read: the benchmark world filled with ``BenchSizes/ledgerMoves`` balanced
/// moves through batches (the fastest path), plus one item, `ATP-1`, with dated reservations and shipments in
/// transit so its projected-stock timeline has points.
struct QueryLedger: Sendable {
    let ledger: BenchLedger
    let world: BenchWorld
    let moves: Int

    static let atpSKU = "ATP-1"

    static func build(context: BenchContext) async throws -> QueryLedger {
        let sizes = context.sizes
        let ledger = try await context.store.open()
        do {
            let inventory = ledger.inventory
            let world = try await BenchWorld.build(in: inventory, items: sizes.items, warehouses: sizes.warehouses)
            try await addATPItem(inventory, warehouses: world.warehouses)
            var mix = BalancedMix(world: world, seed: 3, prefix: "ledger")
            context.progress("query ledger: posting \(sizes.ledgerMoves.formatted()) moves")
            let (elapsed, _) = try await fill(
                inventory, moves: sizes.ledgerMoves, mix: &mix, batchSize: sizes.batchSize, suite: "query ledger",
                progress: context.progress)
            let moves = try await inventory.store.counts().moves
            context.progress(
                "query ledger: \(moves.formatted()) moves, built in \(String(format: "%.1f", elapsed.seconds)) s")
            return QueryLedger(ledger: ledger, world: world, moves: moves)
        } catch {
            await ledger.remove()
            throw error
        }
    }

    /// Stock in two warehouses, 100 reservations due over the next 100 days and 20 shipments arriving in transit.
    static func addATPItem(_ inventory: Inventory, warehouses: [String]) async throws {
        guard let unit = UnitOfMeasure.builtIn["unit"] else { return }
        try await inventory.addItem(Item(id: ItemID(0), sku: atpSKU, unit: unit))
        let target = warehouses[0]
        let source = warehouses.count > 1 ? warehouses[1] : warehouses[0]
        for warehouse in Set([target, source]) {
            try await inventory.post(
                .receive(.init(sku: atpSKU, qty: Fixed(10_000), at: warehouse, unitCost: Fixed(9))))
        }
        let day: TimeInterval = 86_400
        let now = Date()
        var requests: [PostingRequest] = []
        for index in 0..<100 {
            let date = (now + Double(index + 1) * day).formatted(.iso8601.year().month().day())
            requests.append(
                PostingRequest(
                    key: "atp-reserve-\(index)",
                    operation: .reserve(
                        .init(sku: atpSKU, qty: Fixed(5), at: target, order: "ATP-SO-\(index)", date: date)),
                    actor: "bench", source: "bench", now: now))
        }
        if source != target {
            for index in 0..<20 {
                let date = (now + Double(index * 5 + 3) * day).formatted(.iso8601.year().month().day())
                requests.append(
                    PostingRequest(
                        key: "atp-transfer-\(index)",
                        operation: .transfer(
                            .init(sku: atpSKU, qty: Fixed(40), from: source, to: target, transit: true, arrival: date)),
                        actor: "bench", source: "bench", now: now))
            }
        }
        for result in try await inventory.postBatch(requests) {
            if case .failure(let error) = result {
                throw BenchFailure(suite: "query ledger", reason: "the ATP item's set-up was refused: \(error)")
            }
        }
    }
}

enum QuerySuites {
    private static func require(_ ledger: QueryLedger?, _ suite: String) throws -> QueryLedger {
        guard let ledger else { throw BenchFailure(suite: suite, reason: "the query ledger was not built") }
        return ledger
    }

    /// `query.position`: one item's buckets over every warehouse, and 1,000 items in one call.
    static func position(_ context: BenchContext, ledger: QueryLedger?) async throws -> [BenchResult] {
        let ledger = try require(ledger, "query.position")
        let inventory = ledger.ledger.inventory
        let (one, elapsed) = try await positionLatency(
            inventory, skus: ledger.world.items, queries: context.sizes.queries)
        let many = Array(ledger.world.items.prefix(1_000))
        var manyLatency = LatencyRecorder()
        let calls = max(10, context.sizes.queries / 50)
        _ = try await inventory.positions(skus: many)
        let manyStart = ContinuousClock.now
        for _ in 0..<calls {
            let positions = try await manyLatency.measure { try await inventory.positions(skus: many) }
            guard positions.count == many.count else {
                throw BenchFailure(suite: "query.position", reason: "asked \(many.count) items, got \(positions.count)")
            }
        }
        let manyElapsed = ContinuousClock.now - manyStart
        let size = "ledger \(ledger.moves.formatted()) moves, \(ledger.world.warehouses.count) warehouses"
        return [
            BenchResult(
                name: "query.position", value: Double(one.count) / elapsed.seconds, unit: "queries/s", latency: one,
                note: "one item over all warehouses; \(size)"),
            BenchResult(
                name: "query.position.\(many.count)-items", value: Double(calls) / manyElapsed.seconds,
                unit: "calls/s", latency: manyLatency, note: "\(many.count) items in one call; \(size)"),
        ]
    }

    /// Sequential `Inventory.position` calls on random items of `skus`, after a short warm-up.
    static func positionLatency(_ inventory: Inventory, skus: [String], queries: Int) async throws -> (
        LatencyRecorder, Duration
    ) {
        var generator = SeededGenerator(seed: 11)
        for _ in 0..<min(50, queries) {
            _ = try await inventory.position(sku: skus[Int.random(in: 0..<skus.count, using: &generator)])
        }
        var latency = LatencyRecorder()
        let start = ContinuousClock.now
        for _ in 0..<queries {
            let sku = skus[Int.random(in: 0..<skus.count, using: &generator)]
            _ = try await latency.measure { try await inventory.position(sku: sku) }
        }
        return (latency, ContinuousClock.now - start)
    }

    /// `query.atp`: the projected-stock timeline of one item at one warehouse.
    static func atp(_ context: BenchContext, ledger: QueryLedger?) async throws -> [BenchResult] {
        let ledger = try require(ledger, "query.atp")
        let inventory = ledger.ledger.inventory
        let warehouse = ledger.world.warehouses[0]
        let first = try await inventory.projection(sku: QueryLedger.atpSKU, at: warehouse)
        guard !first.points.isEmpty else {
            throw BenchFailure(suite: "query.atp", reason: "the timeline of \(QueryLedger.atpSKU) has no points")
        }
        var latency = LatencyRecorder()
        let start = ContinuousClock.now
        for _ in 0..<context.sizes.queries {
            _ = try await latency.measure { try await inventory.projection(sku: QueryLedger.atpSKU, at: warehouse) }
        }
        let elapsed = ContinuousClock.now - start
        return [
            BenchResult(
                name: "query.atp", value: Double(context.sizes.queries) / elapsed.seconds, unit: "queries/s",
                latency: latency,
                note: "\(first.points.count) dated points at \(warehouse); ledger \(ledger.moves.formatted()) moves")
        ]
    }

    /// `verify`: the whole-ledger invariant check, in seconds per million moves.
    static func verify(_ context: BenchContext, ledger: QueryLedger?) async throws -> [BenchResult] {
        let ledger = try require(ledger, "verify")
        let start = ContinuousClock.now
        let problems = try await ledger.ledger.inventory.verify()
        let elapsed = ContinuousClock.now - start
        guard problems.isEmpty else {
            throw BenchFailure(suite: "verify", reason: "the ledger is not sound: \(problems.prefix(5))")
        }
        return [
            BenchResult(
                name: "verify", value: elapsed.seconds / (Double(max(1, ledger.moves)) / 1_000_000),
                unit: "s per 1M moves",
                note: "\(String(format: "%.2f", elapsed.seconds)) s on a ledger of \(ledger.moves.formatted()) moves, "
                    + "extrapolated linearly; sound")
        ]
    }
}
