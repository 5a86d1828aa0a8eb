import Foundation
public import Stockline
import StocklineCore
import StocklineStore

/// A seeded generator (SplitMix64), so every run posts the same workload.
struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The world every suite posts into: one FIFO company `BENCH`, warehouses `WH1`... and items `SKU-00001`...
public struct BenchWorld: Sendable, Hashable {
    public var items: [String]
    public var warehouses: [String]

    /// Creates the company, warehouses and items (one write each: master data is not the benchmark).
    public static func build(in inventory: Inventory, items: Int, warehouses: Int) async throws -> BenchWorld {
        try await inventory.addCompany(code: "BENCH", currency: "EUR", costing: .fifo)
        let codes = (1...max(1, warehouses)).map { "WH\($0)" }
        for code in codes { try await inventory.addWarehouse(code: code, company: "BENCH") }
        let skus = (1...max(1, items)).map {
            "SKU-" + String(repeating: "0", count: max(0, 5 - "\($0)".count)) + "\($0)"
        }
        guard let unit = UnitOfMeasure.builtIn["unit"] else {
            throw BenchFailure(suite: "setup", reason: "the built-in unit `unit` is missing")
        }
        for sku in skus { try await inventory.addItem(Item(id: ItemID(0), sku: sku, unit: unit)) }
        return BenchWorld(items: skus, warehouses: codes)
    }
}

/// Receipts and deliveries that keep stock balanced: every receipt is delivered again, the same quantity from the same
/// warehouse, one batch later. Open FIFO layers therefore stay about one batch deep per item, however long the
/// ledger grows (each posting loads its item's open layers; see BENCHMARKS.md).
struct BalancedMix: Sendable {
    private struct Pending: Sendable {
        var sku: String
        var warehouse: String
        var qty: Int
    }

    let world: BenchWorld
    private var generator: SeededGenerator
    private var pending: [Pending] = []
    private var pendingHead = 0
    private var counter = 0
    private let prefix: String

    init(world: BenchWorld, seed: UInt64, prefix: String) {
        self.world = world
        self.generator = SeededGenerator(seed: seed)
        self.prefix = prefix
    }

    /// `count` postings of one move each: deliveries of what earlier batches received (up to half), then receipts.
    mutating func nextBatch(_ count: Int, now: Date) -> [PostingRequest] {
        var requests: [PostingRequest] = []
        requests.reserveCapacity(count)
        let deliveries = min(count / 2, pending.count - pendingHead)
        for _ in 0..<deliveries {
            let delivery = pending[pendingHead]
            pendingHead += 1
            requests.append(
                request(
                    .deliver(.init(sku: delivery.sku, qty: Fixed(delivery.qty), from: delivery.warehouse)), now: now))
        }
        if pendingHead > 100_000 {
            pending.removeFirst(pendingHead)
            pendingHead = 0
        }
        var received: [Pending] = []
        for _ in deliveries..<count {
            let receipt = Pending(
                sku: world.items[Int.random(in: 0..<world.items.count, using: &generator)],
                warehouse: world.warehouses[Int.random(in: 0..<world.warehouses.count, using: &generator)],
                qty: Int.random(in: 1...10, using: &generator))
            received.append(receipt)
            requests.append(
                request(
                    .receive(
                        .init(
                            sku: receipt.sku, qty: Fixed(receipt.qty), at: receipt.warehouse,
                            unitCost: Self.unitCost(using: &generator))), now: now))
        }
        pending += received
        return requests
    }

    private mutating func request(_ operation: StockOperation, now: Date) -> PostingRequest {
        counter += 1
        return PostingRequest(
            key: "\(prefix)-\(counter)", operation: operation, actor: "bench", source: "bench", now: now)
    }

    /// 8.00 to 12.00, in cents.
    static func unitCost(using generator: inout SeededGenerator) -> Money {
        Fixed(micros: 8_000_000 + Int64.random(in: 0...400, using: &generator) * 10_000)
    }
}

/// Posts batches of the balanced mix through `Inventory.postBatch` until the ledger holds `moves` more moves.
///
/// Every posting must be accepted; a refusal is a broken workload and fails the suite.
@discardableResult
func fill(
    _ inventory: Inventory, moves: Int, mix: inout BalancedMix, batchSize: Int, suite: String,
    progress: @Sendable (String) -> Void
) async throws -> (elapsed: Duration, latency: LatencyRecorder) {
    var latency = LatencyRecorder()
    var posted = 0
    var nextReport = max(moves / 10, 100_000)
    let start = ContinuousClock.now
    while posted < moves {
        let batch = mix.nextBatch(min(batchSize, moves - posted), now: Date())
        let results = try await latency.measure { try await inventory.postBatch(batch) }
        for result in results {
            if case .failure(let error) = result {
                throw BenchFailure(suite: suite, reason: "a balanced posting was refused: \(error.code): \(error)")
            }
        }
        posted += batch.count
        if posted >= nextReport {
            let rate = Double(posted) / (ContinuousClock.now - start).seconds
            progress("\(suite): \(posted.formatted()) of \(moves.formatted()) moves, \(Int(rate)) moves/s")
            nextReport += max(moves / 10, 100_000)
        }
    }
    return (ContinuousClock.now - start, latency)
}

/// One of many concurrent callers posting single commands: a receipt on an item only it uses, then the delivery of
/// the same quantity, and so on, so callers never contend for stock and stock stays balanced.
struct SingleCaller: Sendable {
    private let items: [String]
    private let warehouses: [String]
    private var generator: SeededGenerator
    private var last: (sku: String, warehouse: String, qty: Int)?
    private var counter = 0
    private let prefix: String

    init(index: Int, of callers: Int, world: BenchWorld, prefix: String) {
        let owned = stride(from: index, to: world.items.count, by: callers).map { world.items[$0] }
        self.items = owned.isEmpty ? [world.items[index % world.items.count]] : owned
        self.warehouses = world.warehouses
        self.generator = SeededGenerator(seed: UInt64(index + 1) &* 7919)
        self.prefix = "\(prefix)-\(index)"
    }

    /// The next command and its idempotency key.
    mutating func next() -> (key: String, operation: StockOperation) {
        counter += 1
        let key = "\(prefix)-\(counter)"
        if let last {
            self.last = nil
            return (key, .deliver(.init(sku: last.sku, qty: Fixed(last.qty), from: last.warehouse)))
        }
        let receipt = (
            sku: items[Int.random(in: 0..<items.count, using: &generator)],
            warehouse: warehouses[Int.random(in: 0..<warehouses.count, using: &generator)],
            qty: Int.random(in: 1...10, using: &generator)
        )
        last = receipt
        return (
            key,
            .receive(
                .init(
                    sku: receipt.sku, qty: Fixed(receipt.qty), at: receipt.warehouse,
                    unitCost: BalancedMix.unitCost(using: &generator)))
        )
    }
}

/// Runs `callers` concurrent callers (each records its own latencies) and merges what they recorded.
func concurrently(
    callers: Int, _ body: @escaping @Sendable (Int) async throws -> LatencyRecorder
) async throws -> (elapsed: Duration, latency: LatencyRecorder) {
    let start = ContinuousClock.now
    let latency = try await withThrowingTaskGroup(of: LatencyRecorder.self) { group in
        for caller in 0..<callers { group.addTask { try await body(caller) } }
        var merged = LatencyRecorder()
        for try await recorder in group { merged.merge(recorder) }
        return merged
    }
    return (ContinuousClock.now - start, latency)
}
