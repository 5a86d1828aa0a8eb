public import Foundation
import Stockline
import StocklineCore
import StocklineStore

/// `stockline bench peer`: the Tryton stock peer (`bench/peers/run-tryton`) and the same workload on Stockline.
///
/// The workload, as the peer script posts it: 1,000 products in one warehouse; batches of 500 moves, each 250
/// receipts supplier→stock of 1–10 units at 8.00–12.00 and 250 one-unit deliveries of a product on hand, one
/// commit per batch; then single mode, one move per transaction alternating receipt and delivery.
public enum PeerBenchmark {
    /// What the peer printed as its last line with `--json`.
    public struct PeerFigures: Sendable, Hashable, Decodable {
        public var peer: String
        public var batchedMovesPerSecond: Double
        public var singleMovesPerSecond: Double?
        public var moves: Int?
        public var check: String?

        enum CodingKeys: String, CodingKey {
            case peer, moves, check
            case batchedMovesPerSecond = "batched_moves_per_s"
            case singleMovesPerSecond = "single_moves_per_s"
        }
    }

    /// The peer script, relative to the current directory.
    public static let scriptPath = "bench/peers/run-tryton"

    /// The script's URL, or an error saying where it was looked for.
    public static func locateScript(in directory: String = FileManager.default.currentDirectoryPath) throws -> URL {
        let url = URL(fileURLWithPath: directory).appendingPathComponent(scriptPath)
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw BenchFailure(
                suite: "peer",
                reason: "\(scriptPath) is not in \(directory) (or is not executable): run `stockline bench peer` "
                    + "from the repository root, on a checkout that has the peer scripts (they come from main)")
        }
        return url
    }

    /// Runs the peer script with `--json` and `arguments`; its progress goes to standard error as it comes.
    public static func runPeer(_ script: URL, arguments: [String]) async throws -> PeerFigures {
        let process = Process()
        process.executableURL = script
        process.arguments = ["--json"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        let data = await withCheckedContinuation { (continuation: CheckedContinuation<Data, Never>) in
            DispatchQueue.global().async {
                continuation.resume(returning: output.fileHandleForReading.readDataToEndOfFile())
            }
        }
        process.waitUntilExit()
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        guard let last = lines.last(where: { $0.hasPrefix("{") }) else {
            throw BenchFailure(
                suite: "peer", reason: "\(scriptPath) exited with \(process.terminationStatus) and printed no JSON line"
            )
        }
        let figures = try JSONDecoder().decode(PeerFigures.self, from: Data(last.utf8))
        guard process.terminationStatus == 0, figures.check == nil || figures.check == "ok" else {
            throw BenchFailure(
                suite: "peer",
                reason: "\(scriptPath) exited with \(process.terminationStatus), check \(figures.check ?? "?")")
        }
        return figures
    }

    /// Sizes of the peer's default run (`--quick`: the small one), mirrored on Stockline.
    public struct Workload: Sendable, Hashable {
        public var items = 1_000
        public var batch = 500
        /// Batched phases, run in order; the rate reported is the last (largest) one's, as the peer does.
        public var phases: [Int]
        public var single: Int

        public init(quick: Bool) {
            phases = quick ? [2_000] : [2_000, 10_000]
            single = quick ? 200 : 500
        }

        public init(phases: [Int], single: Int, items: Int = 1_000) {
            self.phases = phases
            self.single = single
            self.items = items
        }
    }

    /// The peer's workload on Stockline (FIFO costing, a fresh ledger): batched and single moves per second.
    public static func runStockline(
        _ workload: Workload, store: BenchStore, progress: @escaping @Sendable (String) -> Void
    ) async throws -> (batched: Double, single: Double, moves: Int) {
        try await store.withLedger { ledger in
            let inventory = ledger.inventory
            let world = try await BenchWorld.build(in: inventory, items: workload.items, warehouses: 1)
            var mix = PeerMix(world: world)
            var batched = 0.0
            for phase in workload.phases {
                let start = ContinuousClock.now
                var done = 0
                while done < phase {
                    let count = min(workload.batch, phase - done)
                    let results = try await inventory.postBatch(mix.batch(count))
                    for result in results {
                        if case .failure(let error) = result {
                            throw BenchFailure(suite: "peer", reason: "Stockline refused a peer move: \(error)")
                        }
                    }
                    done += count
                }
                batched = Double(phase) / (ContinuousClock.now - start).seconds
                progress("peer: Stockline batched \(phase.formatted()) moves, \(Int(batched)) moves/s")
            }
            let start = ContinuousClock.now
            for index in 0..<workload.single {
                let request = index % 2 == 0 ? mix.receipt() : mix.delivery()
                try await inventory.post(request.operation, key: request.key, actor: "bench", source: "bench")
            }
            let single = Double(workload.single) / (ContinuousClock.now - start).seconds
            progress("peer: Stockline single \(workload.single) moves, \(Int(single)) moves/s")
            let moves = try await inventory.store.counts().moves
            let problems = try await inventory.verify()
            guard problems.isEmpty else {
                throw BenchFailure(suite: "peer", reason: "the Stockline ledger is not sound: \(problems.prefix(3))")
            }
            return (batched, single, moves)
        }
    }

    /// Receipts of 1–10 units at 8.00–12.00 and one-unit deliveries of a product on hand, in WH1.
    struct PeerMix: Sendable {
        let world: BenchWorld
        var generator = SeededGenerator(seed: 7)
        var onHand: [String: Int] = [:]
        var inStock: [String] = []
        var counter = 0

        init(world: BenchWorld) { self.world = world }

        mutating func batch(_ count: Int) -> [PostingRequest] {
            let receipts = count / 2 + count % 2
            return (0..<receipts).map { _ in receipt() } + (receipts..<count).map { _ in delivery() }
        }

        mutating func receipt() -> PostingRequest {
            let sku = world.items[Int.random(in: 0..<world.items.count, using: &generator)]
            let qty = Int.random(in: 1...10, using: &generator)
            onHand[sku, default: 0] += qty
            inStock.append(sku)
            return request(
                .receive(
                    .init(sku: sku, qty: Fixed(qty), at: "WH1", unitCost: BalancedMix.unitCost(using: &generator))))
        }

        /// One unit of a product on hand; the caller posts receipts first, so there always is one.
        mutating func delivery() -> PostingRequest {
            while !inStock.isEmpty {
                let index = Int.random(in: 0..<inStock.count, using: &generator)
                let sku = inStock[index]
                if onHand[sku, default: 0] >= 1 {
                    onHand[sku, default: 0] -= 1
                    return request(.deliver(.init(sku: sku, qty: Fixed(1), from: "WH1")))
                }
                inStock.swapAt(index, inStock.count - 1)
                inStock.removeLast()
            }
            return receipt()
        }

        mutating func request(_ operation: StockOperation) -> PostingRequest {
            counter += 1
            return PostingRequest(
                key: "peer-\(counter)", operation: operation, actor: "bench", source: "bench", now: Date())
        }
    }

    /// Results for the table and JSON: both figures and the ratio, batched and single.
    public static func results(peer: PeerFigures, stockline: (batched: Double, single: Double, moves: Int))
        -> [BenchResult]
    {
        var results = [
            BenchResult(
                name: "peer.\(peer.peer).batched", value: peer.batchedMovesPerSecond, unit: "moves/s",
                note: "\(peer.moves.map { "\($0.formatted()) moves, " } ?? "")check \(peer.check ?? "?")"),
            BenchResult(
                name: "peer.stockline.batched", value: stockline.batched, unit: "moves/s",
                note: "same workload, FIFO costing, \(stockline.moves.formatted()) moves, verified"),
            BenchResult(
                name: "peer.ratio.batched", value: stockline.batched / peer.batchedMovesPerSecond, unit: "x",
                note: "Stockline over \(peer.peer) (target >= 100x)"),
        ]
        if let single = peer.singleMovesPerSecond, single > 0 {
            results += [
                BenchResult(name: "peer.\(peer.peer).single", value: single, unit: "moves/s"),
                BenchResult(name: "peer.stockline.single", value: stockline.single, unit: "moves/s"),
                BenchResult(
                    name: "peer.ratio.single", value: stockline.single / single, unit: "x",
                    note: "Stockline over \(peer.peer)"),
            ]
        }
        return results
    }
}
