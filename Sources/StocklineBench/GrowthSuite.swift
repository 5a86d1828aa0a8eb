import Foundation
import Stockline
import StocklineCore
import StocklineStore

/// `growth`: `post.single` and `query.position` on one ledger as it grows through ``BenchSizes/growth`` (100k, 1M
/// and 10M moves at large scale; reduced sizes at smaller scales, named in each result), and how much they change.
enum GrowthSuite {
    static func run(_ context: BenchContext) async throws -> [BenchResult] {
        let sizes = context.sizes
        return try await context.store.withLedger { ledger in
            let inventory = ledger.inventory
            let world = try await BenchWorld.build(in: inventory, items: sizes.items, warehouses: sizes.warehouses)
            var mix = BalancedMix(world: world, seed: 5, prefix: "growth")
            var results: [BenchResult] = []
            var singles: [BenchResult] = []
            var positions: [BenchResult] = []
            for size in sizes.growth {
                let current = try await inventory.store.counts().moves
                if size > current {
                    context.progress("growth: filling to \(size.formatted()) moves")
                    try await fill(
                        inventory, moves: size - current, mix: &mix, batchSize: sizes.batchSize, suite: "growth",
                        progress: context.progress)
                }
                let moves = try await inventory.store.counts().moves
                let single = try await PostSingleSuite.measure(
                    inventory, world: world, postings: sizes.growthPostings, callers: sizes.callers,
                    name: "growth.post.single@\(size.abbreviated)", prefix: "growth-\(size)")
                let (latency, elapsed) = try await QuerySuites.positionLatency(
                    inventory, skus: world.items, queries: sizes.queries)
                let position = BenchResult(
                    name: "growth.query.position@\(size.abbreviated)", value: Double(latency.count) / elapsed.seconds,
                    unit: "queries/s", latency: latency, note: "ledger \(moves.formatted()) moves")
                context.progress("growth: \(single.summary)")
                context.progress("growth: \(position.summary)")
                singles.append(single)
                positions.append(position)
            }
            results = singles + positions
            if let first = singles.first, let last = singles.last, singles.count > 1 {
                results.append(
                    BenchResult(
                        name: "growth.post.single.drop", value: (1 - last.value / first.value) * 100, unit: "%",
                        note: "throughput lost from \(first.name) to \(last.name) (target < 20%)"))
            }
            if let first = positions.first?.p99, let last = positions.last?.p99, positions.count > 1 {
                results.append(
                    BenchResult(
                        name: "growth.query.position.p99-ratio", value: last / first, unit: "x",
                        note: "p99 at \(sizes.growth.last?.abbreviated ?? "?") over p99 at "
                            + "\(sizes.growth.first?.abbreviated ?? "?") moves (target < 2x)"))
            }
            return results
        }
    }
}
