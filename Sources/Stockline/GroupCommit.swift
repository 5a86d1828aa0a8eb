import StocklineCore
import StocklineStore

/// Gathers postings that arrive while a transaction is running and commits them together in the next one, so
/// durable throughput is not capped at one fsync per posting.
///
/// Writers are served in the order they arrive, and no transaction holds more than `maxBatch` postings: a batch of
/// independent lines joins the queue in order and may span transactions, an all-or-nothing batch (at most
/// `Inventory.maximumBatch` lines) takes a transaction of its own in its turn. So one large request delays a small
/// one by a bounded amount of work, never by the whole of itself.
actor GroupCommit {
    private typealias Waiter = CheckedContinuation<[Result<PostingResult, StockError>], any Error>

    private struct Entry {
        var requests: [PostingRequest]
        var atomic: Bool
        var waiter: Waiter
        var results: [Result<PostingResult, StockError>] = []
    }

    let pipeline: PostingPipeline
    private let maxBatch: Int
    private var pending: [Entry] = []
    private var draining = false

    init(pipeline: PostingPipeline, maxBatch: Int = 512) {
        self.pipeline = pipeline
        self.maxBatch = maxBatch
    }

    /// Commits independent postings in order, each kept or refused on its own.
    func submit(_ requests: [PostingRequest]) async throws -> [Result<PostingResult, StockError>] {
        guard !requests.isEmpty else { return [] }
        return try await withCheckedThrowingContinuation { (waiter: Waiter) in
            enqueue(Entry(requests: requests, atomic: false, waiter: waiter))
        }
    }

    /// Commits `requests` all or none, in one transaction, when its turn comes.
    func submitAtomically(_ requests: [PostingRequest]) async throws -> [Result<PostingResult, StockError>] {
        try await withCheckedThrowingContinuation { (waiter: Waiter) in
            enqueue(Entry(requests: requests, atomic: true, waiter: waiter))
        }
    }

    private func enqueue(_ entry: Entry) {
        pending.append(entry)
        if !draining {
            draining = true
            Task { await drain() }
        }
    }

    private func drain() async {
        while let first = pending.first {
            if first.atomic {
                pending.removeFirst()
                do {
                    first.waiter.resume(returning: try await pipeline.commit(first.requests, atomic: true))
                } catch {
                    first.waiter.resume(throwing: error)
                }
                continue
            }
            // The lines still to commit of the leading entries, up to one transaction's worth.
            var batch: [PostingRequest] = []
            var owners: [(entry: Int, count: Int)] = []
            for (index, entry) in pending.enumerated() {
                if entry.atomic { break }
                let start = entry.results.count
                let take = min(entry.requests.count - start, maxBatch - batch.count)
                batch += entry.requests[start..<start + take]
                owners.append((index, take))
                if batch.count == maxBatch || start + take < entry.requests.count { break }
            }
            do {
                var results = try await pipeline.commit(batch, atomic: false)[...]
                for (index, count) in owners {
                    pending[index].results += results.prefix(count)
                    results = results.dropFirst(count)
                }
                let done = pending.prefix { $0.results.count == $0.requests.count && !$0.atomic }.count
                for entry in pending.prefix(done) { entry.waiter.resume(returning: entry.results) }
                pending.removeFirst(done)
            } catch {
                for (index, _) in owners { pending[index].waiter.resume(throwing: error) }
                pending.removeFirst(owners.count)
            }
        }
        draining = false
    }
}
