import Foundation
import Stockline
import StocklineCore
import StocklineStore

/// `post.layers`: the time of one posting on an item against how many open FIFO layers it has (1, 100, 1,000 and
/// 10,000). Each item is seeded with receipts of one unit, then posts pairs of a receipt and a delivery of one unit,
/// so the count of open layers stays where it was; a cost linear in the open layers shows as a rising line.
enum OpenLayersSuite {
    static let depths = [1, 100, 1_000, 10_000]
    static let pairs = 100

    static func run(_ context: BenchContext) async throws -> [BenchResult] {
        try await context.store.withLedger { ledger in
            let inventory = ledger.inventory
            try await inventory.addCompany(code: "LAYERS", currency: "EUR", costing: .fifo)
            try await inventory.addWarehouse(code: "WH1", company: "LAYERS")
            guard let unit = UnitOfMeasure.builtIn["unit"] else {
                throw BenchFailure(suite: "post.layers", reason: "the built-in unit `unit` is missing")
            }
            var results: [BenchResult] = []
            for depth in depths {
                let sku = "LAYERS-\(depth)"
                try await inventory.addItem(Item(id: ItemID(0), sku: sku, unit: unit))
                let seeds = (0..<depth).map { index in
                    PostingRequest(
                        key: "seed-\(depth)-\(index)",
                        operation: .receive(.init(sku: sku, qty: Fixed(1), at: "WH1", unitCost: Fixed(index % 50 + 1))),
                        actor: "bench", source: "bench", now: Date())
                }
                for start in stride(from: 0, to: seeds.count, by: Inventory.maximumBatch) {
                    let chunk = Array(seeds[start..<min(start + Inventory.maximumBatch, seeds.count)])
                    for result in try await inventory.postBatch(chunk) { _ = try result.get() }
                }
                context.progress("post.layers: \(sku) holds \(depth) open layers")
                var latency = LatencyRecorder()
                for pair in 0..<pairs {
                    let receipt = StockOperation.receive(.init(sku: sku, qty: Fixed(1), at: "WH1", unitCost: Fixed(7)))
                    let delivery = StockOperation.deliver(.init(sku: sku, qty: Fixed(1), from: "WH1"))
                    for (key, operation) in [("r", receipt), ("d", delivery)] {
                        _ = try await latency.measure {
                            try await inventory.post(operation, key: "pair-\(depth)-\(pair)-\(key)")
                        }
                    }
                }
                results.append(
                    BenchResult(
                        name: "post.layers.\(depth)", value: latency.percentile(50) ?? 0, unit: "ms",
                        p50: latency.percentile(50), p99: latency.percentile(99),
                        note: "one posting (a receipt or a delivery of 1 unit) on an item with \(depth) open layers"))
            }
            if let first = results.first?.value, let last = results.last?.value, first > 0 {
                results.append(
                    BenchResult(
                        name: "post.layers.ratio", value: last / first, unit: "x",
                        note: "posting at \(depths.last ?? 0) open layers against posting at \(depths.first ?? 0)"))
            }
            return results
        }
    }
}
