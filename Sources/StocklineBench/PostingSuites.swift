import Foundation
import Stockline
import StocklineCore
import StocklineStore

/// `post.batch`: moves per second posted as an import, in batches of ``BenchSizes/batchSize`` postings through
/// `Inventory.postBatch`, each batch one durable transaction.
enum PostBatchSuite {
    static func run(_ context: BenchContext) async throws -> [BenchResult] {
        let sizes = context.sizes
        return try await context.store.withLedger { ledger in
            let world = try await BenchWorld.build(
                in: ledger.inventory, items: sizes.items, warehouses: sizes.warehouses)
            var mix = BalancedMix(world: world, seed: 1, prefix: "batch")
            // Warm up: the first batches create every quant and cost row.
            try await fill(
                ledger.inventory, moves: min(sizes.batchMoves / 10, 10_000), mix: &mix, batchSize: sizes.batchSize,
                suite: "post.batch warm-up", progress: context.progress)
            let (elapsed, latency) = try await fill(
                ledger.inventory, moves: sizes.batchMoves, mix: &mix, batchSize: sizes.batchSize,
                suite: "post.batch", progress: context.progress)
            return [
                BenchResult(
                    name: "post.batch", value: Double(sizes.batchMoves) / elapsed.seconds, unit: "moves/s",
                    note: "\(sizes.batchMoves.formatted()) moves in batches of \(sizes.batchSize); "
                        + "batch commit p50 \(BenchFormat.milliseconds(latency.percentile(50) ?? 0)), "
                        + "p99 \(BenchFormat.milliseconds(latency.percentile(99) ?? 0))")
            ]
        }
    }
}

/// `post.single`: single-command postings from ``BenchSizes/callers`` concurrent in-process callers through
/// `Inventory.attempt`, which group-commits what arrives together.
enum PostSingleSuite {
    static func run(_ context: BenchContext) async throws -> [BenchResult] {
        let sizes = context.sizes
        return try await context.store.withLedger { ledger in
            let world = try await BenchWorld.build(
                in: ledger.inventory, items: sizes.items, warehouses: sizes.warehouses)
            let result = try await measure(
                ledger.inventory, world: world, postings: sizes.singlePostings, callers: sizes.callers,
                name: "post.single", prefix: "single")
            return [result]
        }
    }

    /// Posts `postings` single commands from `callers` callers; every one must be accepted.
    static func measure(
        _ inventory: Inventory, world: BenchWorld, postings: Int, callers: Int, name: String, prefix: String
    ) async throws -> BenchResult {
        let perCaller = max(2, postings / callers / 2 * 2)
        let (elapsed, latency) = try await concurrently(callers: callers) { index in
            var caller = SingleCaller(index: index, of: callers, world: world, prefix: prefix)
            var recorder = LatencyRecorder()
            for _ in 0..<perCaller {
                let (key, operation) = caller.next()
                let outcome = try await recorder.measure {
                    try await inventory.attempt(operation, key: key, actor: "bench", source: "bench")
                }
                if case .failure(let error) = outcome {
                    throw BenchFailure(suite: name, reason: "a balanced posting was refused: \(error.code): \(error)")
                }
            }
            return recorder
        }
        let total = perCaller * callers
        return BenchResult(
            name: name, value: Double(total) / elapsed.seconds, unit: "moves/s", latency: latency,
            note: "\(total.formatted()) postings from \(callers) concurrent callers")
    }
}
