import Stockline
import StocklineCore
import StocklineStore

/// Queues the demo's postings and commits them in large batches, one transaction each, counting refusals.
///
/// Every posting gets the next key (`demo-000001`) and the demo clock's time, which then moves on a few seconds,
/// so the same seed gives the same ledger.
final class DemoPoster {
    let inventory: Inventory
    let clock: DemoClock
    let batchSize: Int
    private var pending: [PostingRequest] = []
    private var sequence = 0
    private(set) var accepted = 0
    private(set) var refusals: [String: Int] = [:]
    private(set) var samples: [String] = []
    private(set) var kinds: [String: Int] = [:]

    init(inventory: Inventory, clock: DemoClock, batchSize: Int = 1_000) {
        self.inventory = inventory
        self.clock = clock
        self.batchSize = batchSize
    }

    var refused: Int { refusals.values.reduce(0, +) }

    /// Queues an operation and returns its key, which later postings (arrivals, returns) refer to.
    @discardableResult
    func post(
        _ operation: StockOperation, actor: String, source: String, reason: String? = nil,
        reference: String? = nil, key given: String? = nil
    ) -> String {
        sequence += 1
        let key = given ?? "demo-" + DemoClock.padded(sequence)
        pending.append(
            PostingRequest(
                key: key, operation: operation, actor: actor, source: source, reason: reason,
                reference: reference, now: clock.now))
        clock.advance(seconds: 9)
        return key
    }

    /// Commits what is queued once a batch is full, or everything when `all`.
    func flush(all: Bool = false) async throws {
        guard !pending.isEmpty, all || pending.count >= batchSize else { return }
        let batch = pending
        pending = []
        var results: [Result<PostingResult, StockError>] = []
        for start in stride(from: 0, to: batch.count, by: Inventory.maximumBatch) {
            results += try await inventory.postBatch(
                Array(batch[start..<min(start + Inventory.maximumBatch, batch.count)]))
        }
        for (request, result) in zip(batch, results) {
            switch result {
            case .success:
                accepted += 1
                kinds[request.operation.kind.rawValue, default: 0] += 1
            case .failure(let error):
                refusals[error.code, default: 0] += 1
                if samples.count < 20 { samples.append("\(request.key) \(request.operation.kind.rawValue): \(error)") }
            }
        }
    }
}
