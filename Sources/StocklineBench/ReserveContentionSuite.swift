import Foundation
import Stockline
import StocklineCore
import StocklineStore

/// `reserve.contention`: ``BenchSizes/reservations`` concurrent one-unit reservations on ``BenchSizes/hotItems``
/// items that hold stock for only half of them. Exactly the stock on hand must be reserved, never more: an oversell
/// fails the suite.
enum ReserveContentionSuite {
    static func run(_ context: BenchContext) async throws -> [BenchResult] {
        let sizes = context.sizes
        return try await context.store.withLedger { ledger in
            let inventory = ledger.inventory
            let world = try await BenchWorld.build(
                in: inventory, items: max(sizes.hotItems, 10), warehouses: 1)
            let hot = Array(world.items.prefix(sizes.hotItems))
            let supplyPerItem = max(1, sizes.reservations / hot.count / 2)
            for sku in hot {
                try await inventory.post(
                    .receive(.init(sku: sku, qty: Fixed(supplyPerItem), at: "WH1", unitCost: Fixed(10))))
            }
            let reservations = sizes.reservations
            let start = ContinuousClock.now
            let outcomes = try await withThrowingTaskGroup(of: (Int, Duration, String?).self) { group in
                for index in 0..<reservations {
                    group.addTask {
                        let begun = ContinuousClock.now
                        let outcome = try await inventory.attempt(
                            .reserve(
                                .init(sku: hot[index % hot.count], qty: Fixed(1), at: "WH1", order: "SO-\(index)")),
                            key: "reserve-\(index)", actor: "bench", source: "bench")
                        switch outcome {
                        case .success: return (index, ContinuousClock.now - begun, nil)
                        case .failure(let error): return (index, ContinuousClock.now - begun, error.code)
                        }
                    }
                }
                var all: [(Int, Duration, String?)] = []
                for try await outcome in group { all.append(outcome) }
                return all
            }
            let elapsed = ContinuousClock.now - start
            var latency = LatencyRecorder()
            var granted = [String: Int]()
            var refusals = [String: Int]()
            for (index, duration, refusal) in outcomes {
                latency.record(duration)
                if let refusal {
                    refusals[refusal, default: 0] += 1
                } else {
                    granted[hot[index % hot.count], default: 0] += 1
                }
            }
            var oversold: [String] = []
            for sku in hot {
                let position = try await inventory.position(sku: sku, at: "WH1")
                let demand = (0..<reservations).filter { $0 % hot.count == hot.firstIndex(of: sku) }.count
                let expected = min(demand, supplyPerItem)
                let reserved = granted[sku, default: 0]
                if position.reserved > position.onHand || position.available.isNegative
                    || Fixed(reserved) != position.reserved || reserved != expected
                {
                    oversold.append(
                        "\(sku): on hand \(position.onHand), reserved \(position.reserved), "
                            + "\(reserved) reservations granted, \(expected) expected")
                }
            }
            let problems = try await inventory.verify()
            if !oversold.isEmpty || !problems.isEmpty {
                throw BenchFailure(
                    suite: "reserve.contention",
                    reason: "OVERSOLD or inconsistent: " + (oversold + problems).joined(separator: "; "))
            }
            let unexpected = refusals.filter { $0.key != "insufficient_stock" }
            if !unexpected.isEmpty {
                throw BenchFailure(suite: "reserve.contention", reason: "unexpected refusals: \(unexpected)")
            }
            let grantedTotal = granted.values.reduce(0, +)
            return [
                BenchResult(
                    name: "reserve.contention", value: Double(reservations) / elapsed.seconds,
                    unit: "reservations/s", latency: latency,
                    note: "\(reservations) concurrent on \(hot.count) items holding \(supplyPerItem) each: "
                        + "\(grantedTotal) granted, \(refusals["insufficient_stock", default: 0]) refused, "
                        + "oversold: none"),
                BenchResult(name: "reserve.contention.oversold", value: 0, unit: "units", note: "checked per item"),
            ]
        }
    }
}
