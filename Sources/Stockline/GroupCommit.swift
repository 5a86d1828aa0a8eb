import StocklineCore
import StocklineStore

/// Gathers postings that arrive while a transaction is running and commits them together in the next one, so
/// durable throughput is not capped at one fsync per posting.
actor GroupCommit {
    private typealias Waiter = CheckedContinuation<Result<PostingResult, StockError>, any Error>
    private let store: any LedgerStore
    private let maxBatch: Int
    private var pending: [(PostingRequest, Waiter)] = []
    private var draining = false

    init(store: any LedgerStore, maxBatch: Int = 512) {
        self.store = store
        self.maxBatch = maxBatch
    }

    func submit(_ request: PostingRequest) async throws -> Result<PostingResult, StockError> {
        try await withCheckedThrowingContinuation { (waiter: Waiter) in
            pending.append((request, waiter))
            if !draining {
                draining = true
                Task { await drain() }
            }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(maxBatch))
            pending.removeFirst(batch.count)
            do {
                let results = try await store.commit(batch.map(\.0))
                for ((_, waiter), result) in zip(batch, results) { waiter.resume(returning: result) }
            } catch {
                for (_, waiter) in batch { waiter.resume(throwing: error) }
            }
        }
        draining = false
    }
}
