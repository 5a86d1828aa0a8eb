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
        var id: Int
        var requests: [PostingRequest]
        var atomic: Bool
        var waiter: Waiter
        var results: [Result<PostingResult, StockError>] = []
        /// Lines handed to a batch, answered or not.
        var taken = 0
    }

    /// A batch whose lines are being committed, and the entries they belong to.
    private struct Batch {
        var results: Task<[Result<PostingResult, StockError>], any Error>
        var owners: [(entry: Int, count: Int)]
    }

    let pipeline: PostingPipeline
    private let maxBatch: Int
    private var pending: [Entry] = []
    private var draining = false
    private var nextID = 0

    init(pipeline: PostingPipeline, maxBatch: Int = 512) {
        self.pipeline = pipeline
        self.maxBatch = maxBatch
    }

    /// Commits independent postings in order, each kept or refused on its own.
    func submit(_ requests: [PostingRequest]) async throws -> [Result<PostingResult, StockError>] {
        guard !requests.isEmpty else { return [] }
        return try await withCheckedThrowingContinuation { (waiter: Waiter) in
            enqueue(requests, atomic: false, waiter: waiter)
        }
    }

    /// Commits `requests` all or none, in one transaction, when its turn comes.
    func submitAtomically(_ requests: [PostingRequest]) async throws -> [Result<PostingResult, StockError>] {
        try await withCheckedThrowingContinuation { (waiter: Waiter) in
            enqueue(requests, atomic: true, waiter: waiter)
        }
    }

    private func enqueue(_ requests: [PostingRequest], atomic: Bool, waiter: Waiter) {
        nextID += 1
        pending.append(Entry(id: nextID, requests: requests, atomic: atomic, waiter: waiter))
        if !draining {
            draining = true
            Task { await drain() }
        }
    }

    /// Commits what is pending, in order. While one batch of independent lines commits, the next is planned (see
    /// ``PostingPipeline/start(_:)``); a batch is answered as soon as it has committed, not when the next one is
    /// planned. An all-or-nothing batch waits for both and takes its own turn.
    private func drain() async {
        var answering: Task<Void, Never>?
        while true {
            if let batch = nextBatch() {
                do {
                    let committed = Batch(results: try await pipeline.start(batch.lines), owners: batch.owners)
                    // Answered in the order the batches commit, each once it has.
                    let before = answering
                    answering = Task {
                        await before?.value
                        await self.deliver(committed)
                    }
                } catch {
                    fail(batch.owners, error)
                }
                continue
            }
            if let last = answering {
                answering = nil
                await last.value
                continue
            }
            guard let first = pending.first, first.atomic else { break }
            pending.removeFirst()
            do {
                first.waiter.resume(returning: try await pipeline.commit(first.requests, atomic: true))
            } catch {
                first.waiter.resume(throwing: error)
            }
        }
        draining = false
    }

    /// The lines not yet taken of the leading entries, up to one transaction's worth, or nil when the first such
    /// entry is all-or-nothing (it waits for what is committing) or there is none.
    private func nextBatch() -> (lines: [PostingRequest], owners: [(entry: Int, count: Int)])? {
        var lines: [PostingRequest] = []
        var owners: [(entry: Int, count: Int)] = []
        for index in pending.indices {
            let entry = pending[index]
            if entry.taken == entry.requests.count { continue }
            // An entry's lines are never in two batches at once: its answer is one, all or an error.
            if entry.atomic || entry.taken > entry.results.count { break }
            let take = min(entry.requests.count - entry.taken, maxBatch - lines.count)
            lines += entry.requests[entry.taken..<entry.taken + take]
            owners.append((entry.id, take))
            pending[index].taken += take
            if lines.count == maxBatch { break }
        }
        return lines.isEmpty ? nil : (lines, owners)
    }

    /// Hands a committed batch's answers to their entries; an entry with every line answered is resumed.
    private func deliver(_ batch: Batch) async {
        let outcome = await batch.results.result
        switch outcome {
        case .failure(let error): fail(batch.owners, error)
        case .success(let answers):
            var answers = answers[...]
            for (id, count) in batch.owners {
                if let index = pending.firstIndex(where: { $0.id == id }) {
                    pending[index].results += answers.prefix(count)
                }
                answers = answers.dropFirst(count)
            }
            while let first = pending.first, !first.atomic, first.results.count == first.requests.count {
                pending.removeFirst()
                first.waiter.resume(returning: first.results)
            }
        }
    }

    /// Resumes the entries of a failed batch with its error: an entry is answered once, its other lines dropped.
    private func fail(_ owners: [(entry: Int, count: Int)], _ error: any Error) {
        for (id, _) in owners {
            guard let index = pending.firstIndex(where: { $0.id == id }) else { continue }
            pending.remove(at: index).waiter.resume(throwing: error)
        }
    }
}
