import Foundation
import StocklineCore
import StocklineStore
import Synchronization

/// The one posting pipeline: key check, books, planning, rows and events, for a batch at a time.
///
/// Books come from the cache, or from the store on first use; the planner works on copies of them (cheap: see
/// ``OpenLayers``), so a refusal leaves nothing behind. The batch's rows go to the store in one write, which checks
/// that no book moved meanwhile; only once it is committed do the new books replace the cached ones, and only then
/// is anything acknowledged.
actor PostingPipeline {
    private let store: any LedgerStore
    private var cache: BookCache
    /// The last batch handed to its commit: the next is planned on what it leaves.
    private var tail: InFlight?
    /// Bound on plans of one batch lost to concurrent writers before the batch fails.
    private static let maxAttempts = 12

    init(store: any LedgerStore, cacheMegabytes: Int) {
        self.store = store
        self.cache = BookCache(megabytes: cacheMegabytes)
    }

    /// Forgets the cached books of `items`, after a write outside the pipeline changed them.
    func forget(_ items: some Sequence<ItemID> & Sendable) { cache.drop(items) }

    /// Forgets every cached book.
    func forgetAll() { cache.removeAll() }

    /// Every cached book that differs from a fresh load of the store, by item id: empty when the cache is exact.
    func drift() async throws -> [ItemID: (cached: LoadedBook, stored: LoadedBook?)] {
        let cached = cache.all
        let stored = try await store.loadBooks(Set(cached.keys), catalog: try await store.catalog())
        var drift: [ItemID: (cached: LoadedBook, stored: LoadedBook?)] = [:]
        for (id, book) in cached where stored[id] != book { drift[id] = (book, stored[id]) }
        return drift
    }

    /// The books of `skus` as committed now: cached ones whose version is still the stored one, the others loaded
    /// (and kept). Unknown SKUs are left out.
    func currentBooks(skus: Set<String>) async throws -> (Catalog, [ItemID: LoadedBook]) {
        let current = try await store.bookVersions(skus: skus)
        let catalog = current.catalog
        var books: [ItemID: LoadedBook] = [:]
        var stale = Set<ItemID>()
        for (sku, current) in current.items {
            cache.remember(sku: sku, id: current.item)
            if let cached = cache.book(current.item), cached.version == current.version {
                books[current.item] = cached
            } else {
                stale.insert(current.item)
            }
        }
        for (id, loaded) in try await store.loadBooks(stale, catalog: catalog) {
            books[id] = loaded
            cache.put(id, loaded)
        }
        return (catalog, books)
    }

    /// Postings planned before they are handed to the write session: small enough that the store starts writing
    /// early (the first chunk is a quarter of it), large enough that its multi-row statements stay full.
    static let chunkSize = 64

    /// Posts `requests` in order, each kept or refused on its own, or (`atomic`) all or none.
    func commit(_ requests: [PostingRequest], atomic: Bool) async throws -> [Result<PostingResult, StockError>] {
        if atomic { return try await commitAtomically(requests) }
        return try await start(requests).value
    }

    /// Plans independent lines and hands them to their commit; the task answers once they are committed.
    ///
    /// The lines go into one write session: each chunk of planned postings is written while the next is planned,
    /// and all are committed together. While one batch commits, the next (the caller's next `start`) is planned on
    /// the books, keys and ids it leaves, and commits after it; should the first not commit, the second is planned
    /// again once the first is done. A line that reads what an earlier line of the session made (the return of a
    /// delivery in the same batch) starts a session of its own once the first is committed. Nothing is
    /// acknowledged before it is committed.
    func start(_ requests: [PostingRequest]) async throws -> Task<[Result<PostingResult, StockError>], any Error> {
        // At most one batch commits while the next is planned.
        if let before = tail?.before { await before.value }
        let previous = tail.flatMap { $0.finished.isFulfilled ? nil : $0 }
        // The session opens (on SQLite: its transaction begins on the writer's thread) while the batch is checked.
        let session = try await store.beginWrite(after: previous?.session)
        let checked: [Result<String, StockError>]
        let run: BatchRun
        do {
            // The batch is checked on every core while what it names is read.
            async let checking = BatchRun.check(requests)
            let prepared = try await prepare(requests, checked: nil, session: session, after: previous)
            checked = try await checking
            run = try await self.run(
                requests, checked: checked, atomic: false, session: session, after: previous, prepared: prepared)
        } catch {
            await session.cancel()
            throw error
        }
        let batch = InFlight(
            run: run, books: run.committedBooks(), session: session, before: previous?.finished)
        let whole = run.results.count == requests.count
        if whole { tail = batch }
        let task = Task {
            defer {
                batch.attempt.fulfil(false)
                batch.finished.fulfil(())
            }
            return try await self.finish(requests, checked: checked, batch, after: previous)
        }
        // A batch cut short by a line that must see the session committed is finished before the next is planned.
        if !whole { _ = await task.result }
        return task
    }

    /// Commits the batch's first session, after the batch it was planned on; then plans and commits what is left.
    private func finish(
        _ requests: [PostingRequest], checked: [Result<String, StockError>], _ batch: InFlight,
        after previous: InFlight?
    ) async throws -> [Result<PostingResult, StockError>] {
        var run = batch.run
        var session = batch.session
        var committed = batch.books
        var results: [Result<PostingResult, StockError>] = []
        var attempts = 0
        var planned = true
        if let previous, await !previous.attempt.value {
            // Planned on a batch that did not commit: planned again once that one is done.
            await session.cancel()
            batch.attempt.fulfil(false)
            await previous.finished.value
            planned = false
        }
        while results.count < requests.count {
            if !planned {
                let lines = results.count..<requests.count
                session = try await store.beginWrite(after: nil)
                do {
                    run = try await self.run(
                        Array(requests[lines]), checked: Array(checked[lines]), atomic: false, session: session,
                        after: nil)
                } catch {
                    await session.cancel()
                    throw error
                }
                committed = run.committedBooks()
            }
            planned = false
            do {
                try await session.commit()
            } catch let conflict as PostingConflict {
                batch.attempt.fulfil(false)
                forget(run, conflict)
                attempts += 1
                if attempts >= Self.maxAttempts { throw conflict }
                continue
            }
            for (id, book) in committed { cache.put(id, book) }
            batch.attempt.fulfil(true)
            results += run.results
        }
        return results
    }

    private func commitAtomically(_ requests: [PostingRequest]) async throws -> [Result<PostingResult, StockError>] {
        if let tail { await tail.finished.value }
        let checked = try await BatchRun.check(requests)
        var attempts = 0
        while true {
            var run = try await run(requests, checked: checked, atomic: true, session: nil, after: nil)
            let refused = run.results.contains { if case .failure = $0 { true } else { false } }
            if refused { run.discardPlans() }
            do {
                try await store.write(run.batch)
            } catch let conflict as PostingConflict {
                forget(run, conflict)
                attempts += 1
                if attempts >= Self.maxAttempts { throw conflict }
                continue
            }
            if !refused {
                for (id, book) in run.committedBooks() { cache.put(id, book) }
            }
            return run.results
        }
    }

    /// Prepares and plans `requests`, handing the plans to `session` as they are made (without one, they stay in
    /// the run's batch), on the books `earlier` (a batch not yet committed) leaves where it has them.
    private func run(
        _ requests: [PostingRequest], checked: [Result<String, StockError>], atomic: Bool,
        session: (any WriteSession)?, after earlier: InFlight?,
        prepared: (query: PostingQuery, preparation: PostingPreparation)? = nil
    ) async throws -> BatchRun {
        // Times as the stores keep them (seconds since 1970 in a Double), so a cached book is what a load reads.
        let requests = requests.map { request in
            var request = request
            request.now = Date(timeIntervalSince1970: request.now.timeIntervalSince1970)
            return request
        }
        let (query, preparation): (PostingQuery, PostingPreparation)
        if let prepared {
            (query, preparation) = prepared
        } else {
            (query, preparation) = try await prepare(requests, checked: checked, session: session, after: earlier)
        }
        let catalog = preparation.catalog
        let books = try await books(for: preparation, catalog: catalog, overlay: earlier?.books ?? [:])
        var run = BatchRun(
            requests: requests, checked: checked, atomic: atomic, catalog: catalog, preparation: preparation,
            orders: query.orders, books: books)
        if let earlier { run.follow(earlier.run) }
        try await run.plan(store: store, session: session)
        return run
    }

    /// What `requests` name, read in `session` or (behind a batch still committing, whose session's transaction
    /// has not begun yet) by a reader. Without `checked`, every request whose names can be looked up is read.
    private func prepare(
        _ requests: [PostingRequest], checked: [Result<String, StockError>]?, session: (any WriteSession)?,
        after earlier: InFlight?
    ) async throws -> (PostingQuery, PostingPreparation) {
        var query = BatchRun.query(requests, checked: checked)
        query.cached = Set(query.skus.compactMap { sku in cache.skus[sku].flatMap { cache.has($0) ? $0 : nil } })
        if let session, earlier == nil { return (query, try await session.prepare(query)) }
        return (query, try await store.prepare(query))
    }

    private func forget(_ run: BatchRun, _ conflict: PostingConflict) {
        cache.drop(run.read)
        cache.drop(conflict.items)
    }

    /// The books a batch reads, from `overlay`, the cache or else the store, with the successors they name.
    private func books(
        for preparation: PostingPreparation, catalog: Catalog, overlay: [ItemID: LoadedBook]
    ) async throws -> [ItemID: LoadedBook] {
        for (sku, id) in preparation.items { cache.remember(sku: sku, id: id) }
        var wanted = Set(preparation.items.values).union(preparation.demandItems)
        for items in preparation.orders.values { wanted.formUnion(items) }
        for order in preparation.documents.values { wanted.formUnion(order.itemIDs) }
        wanted.formUnion(preparation.postings.values.compactMap(\.itemID))
        var books: [ItemID: LoadedBook] = [:]
        while !wanted.isEmpty {
            var missing = Set<ItemID>()
            for id in wanted {
                if let book = overlay[id] ?? preparation.books[id] ?? cache.book(id) {
                    books[id] = book
                } else {
                    missing.insert(id)
                }
            }
            for (id, loaded) in try await store.loadBooks(missing, catalog: catalog) { books[id] = loaded }
            wanted = Set(
                books.values.flatMap { loaded in
                    [loaded.book.item.successorID].compactMap { $0 } + (loaded.book.item.bill ?? []).map(\.itemID)
                }
            ).subtracting(books.keys)
        }
        for (item, lots) in preparation.lots {
            for lot in lots { books[item]?.book.lots[lot.id] = lot }
        }
        return books
    }
}

/// A batch handed to its commit.
private final class InFlight: Sendable {
    let run: BatchRun
    /// Its books as they will be once it commits.
    let books: [ItemID: LoadedBook]
    let session: any WriteSession
    /// Whether the session the next batch was planned on committed.
    let attempt = Signal<Bool>()
    /// Every line answered, or the batch failed.
    let finished = Signal<Void>()
    /// The finish of the batch this one was planned on.
    let before: Signal<Void>?

    init(run: BatchRun, books: [ItemID: LoadedBook], session: any WriteSession, before: Signal<Void>?) {
        self.run = run
        self.books = books
        self.session = session
        self.before = before
    }
}

/// A value given once and awaited by any number of tasks.
final class Signal<Value: Sendable>: Sendable {
    private let state = Mutex<(value: Value?, waiters: [CheckedContinuation<Value, Never>])>((nil, []))

    /// Gives the value; only the first call counts.
    func fulfil(_ value: Value) {
        let waiters = state.withLock { state -> [CheckedContinuation<Value, Never>] in
            guard state.value == nil else { return [] }
            state.value = value
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: value) }
    }

    var isFulfilled: Bool { state.withLock { $0.value != nil } }

    var value: Value {
        get async {
            await withCheckedContinuation { waiter in
                let value = state.withLock { state -> Value? in
                    if let value = state.value { return value }
                    state.waiters.append(waiter)
                    return nil
                }
                if let value { waiter.resume(returning: value) }
            }
        }
    }
}

/// One pass over the leading requests of a batch: what they read, planned in order on working copies of their
/// books, until the end or a request that must see the others committed first.
private struct BatchRun: Sendable {
    let requests: [PostingRequest]
    let atomic: Bool
    let catalog: Catalog
    let preparation: PostingPreparation
    var books: [ItemID: LoadedBook]
    var batch = PlannedBatch()
    var results: [Result<PostingResult, StockError>] = []
    private let checked: [Result<String, StockError>]
    private var ids: IDSource
    private var keys: [String: (fingerprint: String, result: Result<PostingResult, StockError>)] = [:]
    /// Items with open moves of an order, from moves this run created.
    private var orderItems: [String: Set<ItemID>] = [:]
    private var touched = Set<ItemID>()
    /// Orders a batch still committing touched: a request on one waits for it to commit.
    private var waiting = Set<String>()
    /// Every order the run's requests read.
    private let ordersRead: Set<String>
    /// The order documents the run reads, as its plans so far left them.
    private var documents: [String: Order]
    /// What earlier chunks handed to the session: the books they checked (and bumped), the layers they changed.
    private var sent = (bumped: Set<ItemID>(), checked: Set<ItemID>(), layers: [ItemID: [LayerID]]())
    private var chunks = 0

    init(
        requests: [PostingRequest], checked: [Result<String, StockError>], atomic: Bool, catalog: Catalog,
        preparation: PostingPreparation, orders: Set<String>, books: [ItemID: LoadedBook]
    ) {
        self.requests = requests
        self.checked = checked
        self.atomic = atomic
        self.catalog = catalog
        self.preparation = preparation
        self.books = books
        ids = preparation.ids
        var documents = preparation.documents
        for loaded in books.values { documents.merge(loaded.orders) { _, newer in newer } }
        self.documents = documents
        ordersRead = orders
        // The first write checks every order the run reads, before the session writes anything of its own.
        batch.orders = Dictionary(uniqueKeysWithValues: orders.map { ($0, preparation.orders[$0] ?? []) })
    }

    /// The books the run's writes check: what a conflict makes the cache forget.
    var read: Set<ItemID> {
        sent.bumped.union(sent.checked).union(batch.versions.keys).union(batch.checked.keys)
    }

    /// Each request's fingerprint, or its refusal by its own names (``PostingRequest/validate(json:)``); a long
    /// batch's on every core, as nothing else runs before its first run is planned.
    static func check(_ requests: [PostingRequest]) async throws -> [Result<String, StockError>] {
        let chunk = max(64, (requests.count + 1) / 2)
        guard requests.count > chunk else { return try check(requests[...]) }
        return try await withThrowingTaskGroup { group in
            for start in stride(from: 0, to: requests.count, by: chunk) {
                let lines = requests[start..<min(requests.count, start + chunk)]
                group.addTask { (start, try check(lines)) }
            }
            var parts: [(Int, [Result<String, StockError>])] = []
            for try await part in group { parts.append(part) }
            return parts.sorted { $0.0 < $1.0 }.flatMap(\.1)
        }
    }

    private static func check(_ requests: ArraySlice<PostingRequest>) throws -> [Result<String, StockError>] {
        try requests.map { request in
            let fingerprint = try request.fingerprint
            do throws(StockError) {
                try request.validate(json: fingerprint)
                return .success(fingerprint)
            } catch {
                return .failure(error)
            }
        }
    }

    /// What the valid ones of `requests` read.
    static func query(_ requests: [PostingRequest], checked: [Result<String, StockError>]?) -> PostingQuery {
        var read = StateRequest()
        var keys: [String] = []
        for (index, request) in requests.enumerated() {
            if let checked {
                guard case .success = checked[index] else { continue }
            }
            let names = request.operation.stateRequest
            // Unchecked, a name a store could not take as a parameter (a NUL) is not read: the check refuses it.
            if checked == nil, !names.lookupable || request.key.utf8.contains(0) { continue }
            read.formUnion(names)
            keys.append(request.key)
        }
        return PostingQuery(
            keys: keys, skus: read.skus, lots: read.lots, orders: read.orders, postingKeys: read.postingKeys,
            openDemand: read.openDemand, count: requests.count)
    }

    /// Plans after `earlier`, a batch not yet committed: its keys answer as this run's own, its ids go on, and what
    /// reads a posting, an item's receipt or an order it touched waits for it to commit.
    mutating func follow(_ earlier: BatchRun) {
        keys.merge(earlier.keys) { mine, _ in mine }
        touched.formUnion(earlier.touched)
        waiting = Set(earlier.orderItems.keys).union(earlier.ordersRead).union(earlier.documents.keys)
        for order in waiting { batch.orders[order] = nil }
        if case .sequential = earlier.ids, case .sequential = ids { ids = earlier.ids }
    }

    /// Drops every plan of an all-or-nothing batch that was refused, keeping the books they read to be checked:
    /// the refusal stands only if they were current.
    mutating func discardPlans() {
        var checked = batch.checked
        checked.merge(batch.versions) { a, _ in a }
        let orders = batch.orders
        batch = PlannedBatch()
        batch.checked = checked
        batch.orders = orders
    }

    /// Plans the requests in order until the end, or until one reads a posting this run made or changed; with a
    /// session, every ``PostingPipeline/chunkSize`` postings go to it as they are planned.
    mutating func plan(store: any LedgerStore, session: (any WriteSession)?) async throws {
        defer { if let session { session.write(takeChunk()) } }
        for (index, request) in requests.enumerated() {
            if let session,
                batch.postings.count >= (chunks == 0 ? PostingPipeline.chunkSize / 4 : PostingPipeline.chunkSize)
            {
                session.write(takeChunk())
            }
            let fingerprint: String
            switch checked[index] {
            case .success(let text): fingerprint = text
            case .failure(let refusal):
                results.append(.failure(refusal))
                if atomic { return }
                continue
            }
            if let answer = stored(request, fingerprint: fingerprint) {
                results.append(answer)
                if atomic, case .failure = answer { return }
                continue
            }
            let read = request.operation.stateRequest
            let named = read.postingKeys.compactMap { preparation.postings[$0] }
            if read.postingKeys.contains(where: { keys[$0] != nil })
                || named.contains(where: { $0.itemID.map(touched.contains) ?? false })
                || !read.orders.isDisjoint(with: waiting)
            {
                guard atomic else { return }
                results.append(
                    .failure(
                        .validationFailed(
                            field: "operations",
                            reason: "operation \(index + 1) refers to a posting that an earlier operation of this "
                                + "all-or-nothing batch makes or changes; send it in a batch of its own")))
                return
            }
            let outcome = try await plan(
                request, fingerprint: fingerprint, index: index, read: read, named: named, store: store)
            keys[request.key] = (fingerprint, outcome)
            results.append(outcome)
            if atomic, case .failure = outcome { return }
        }
    }

    /// The answer a key already has: a replay, or a refusal of a key used for something else.
    private func stored(_ request: PostingRequest, fingerprint: String) -> Result<PostingResult, StockError>? {
        if let earlier = keys[request.key] {
            return earlier.fingerprint == fingerprint
                ? earlier.result : .failure(.idempotencyKeyReused(key: request.key))
        }
        switch preparation.keys[request.key] {
        case .posted(let stored, let result):
            return stored == fingerprint ? .success(result) : .failure(.idempotencyKeyReused(key: request.key))
        case .claimed(let claimed) where claimed != PostingRequest.refusalFingerprint(fingerprint):
            return .failure(.idempotencyKeyReused(key: request.key))
        case .claimed, nil:
            return nil
        }
    }

    private mutating func plan(
        _ request: PostingRequest, fingerprint: String, index: Int, read: StateRequest, named: [PostingSummary],
        store: any LedgerStore
    ) async throws -> Result<PostingResult, StockError> {
        var involved = Set(read.skus.compactMap { preparation.items[$0] })
        for order in read.orders {
            involved.formUnion(preparation.orders[order] ?? [])
            involved.formUnion(orderItems[order] ?? [])
            involved.formUnion(documents[order]?.itemIDs ?? [])
        }
        if read.openDemand {
            involved.formUnion(preparation.demandItems)
            for order in documents.values where order.kind == .sales && order.isOpen {
                involved.formUnion(order.itemIDs)
            }
        }
        involved.formUnion(named.compactMap(\.itemID))
        involved.formUnion(involved.compactMap { books[$0]?.book.item.successorID })
        if case .productionOrder = request.operation {
            involved.formUnion(involved.flatMap { books[$0]?.book.item.bill ?? [] }.map(\.itemID))
        }
        involved = involved.filter { books[$0] != nil }
        let postingID: Int64
        var allocator: IDAllocator
        var limit: Int64?
        switch ids {
        case .sequential(let posting, let rows):
            postingID = posting
            allocator = rows
        case .blocks(let postings, let starts, let size):
            postingID = postings[index]
            allocator = IDAllocator(nextMove: starts[index], nextLayer: starts[index], nextLot: starts[index])
            limit = size
        }
        let context = PostingContext(
            postingID: postingID, key: request.key, now: request.now, actor: request.actor, source: request.source,
            reason: request.reason)
        var state = state(for: involved, named: named, ids: allocator)
        var planned = Planner.plan(request.operation, in: &state, context: context)
        if case .success = planned, let limit, used(state.ids, from: allocator) > limit {
            // Rare (a receipt of thousands of serials): plan again, the planner being pure, on a longer run of ids.
            allocator = try await store.rowIDs(atLeast: used(state.ids, from: allocator))
            state = self.state(for: involved, named: named, ids: allocator)
            planned = Planner.plan(request.operation, in: &state, context: context)
        }
        guard case .success(let result) = planned else {
            // A refusal on a cached book stands only if the book was current: the write checks it.
            for id in involved
            where batch.versions[id] == nil && !sent.bumped.contains(id) && !sent.checked.contains(id) {
                if let loaded = books[id] { batch.checked[id] = loaded.version }
            }
            return planned
        }
        let first = result.moveIDs.first.flatMap { state.moves[$0] }
        let warehouse = first.flatMap {
            catalog.locations[$0.fromID]?.warehouseID ?? catalog.locations[$0.toID]?.warehouseID
        }
        batch.add(
            PostingRow(
                request: request, fingerprint: fingerprint, result: result, itemID: first?.itemID,
                companyID: warehouse.flatMap { catalog.warehouses[$0]?.companyID }),
            state: state, before: { books[$0]?.book })
        for id in state.changes.orders { documents[id] = state.orders[id] }
        for id in involved {
            guard var loaded = books[id], let book = state.books[id] else { continue }
            if !sent.bumped.contains(id) { batch.versions[id] = loaded.version }
            loaded.book = book
            for changed in state.changes.orders {
                guard let order = state.orders[changed] else { continue }
                loaded.orders[changed] = order.isOpen && order.itemIDs.contains(id) ? order : nil
            }
            loaded.moves = state.moves.filter { $0.value.itemID == id && $0.value.state.isOpen }
            loaded.reservations = state.reservations.filter { loaded.moves[$0.key] != nil && !$0.value.isEmpty }
            books[id] = loaded
            touched.insert(id)
        }
        for id in state.changes.newMoves {
            guard let move = state.moves[id], let reference = move.reference else { continue }
            orderItems[reference, default: []].insert(move.itemID)
        }
        if case .sequential(let posting, _) = ids { ids = .sequential(posting: posting + 1, rows: state.ids) }
        return planned
    }

    /// The plans since the last chunk, for the session; what they check and change is remembered.
    private mutating func takeChunk() -> PlannedBatch {
        let chunk = batch
        batch = PlannedBatch()
        chunks += 1
        sent.bumped.formUnion(chunk.versions.keys)
        sent.checked.formUnion(chunk.checked.keys)
        for layer in chunk.layersToInsert + chunk.layersToUpdate {
            sent.layers[layer.itemID, default: []].append(layer.id)
        }
        return chunk
    }

    private func used(_ after: IDAllocator, from start: IDAllocator) -> Int64 {
        max(after.nextMove - start.nextMove, after.nextLayer - start.nextLayer, after.nextLot - start.nextLot)
    }

    private func state(for involved: Set<ItemID>, named: [PostingSummary], ids: IDAllocator) -> LedgerState {
        var uses: [LayerID: [LayerUse]] = [:]
        for layer in named.flatMap(\.layers) { uses[layer.id] = preparation.uses[layer.id] ?? [] }
        var state = LedgerState(
            catalog: catalog, loaded: involved.compactMap { books[$0] },
            postings: Dictionary(named.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a }), uses: uses, ids: ids)
        state.orders.merge(documents) { _, newer in newer }
        return state
    }

    /// The books as committed, trimmed to what a fresh load reads: stock in warehouses and transit, its lots, and
    /// the layers still open; each at the version the write gave it.
    func committedBooks() -> [ItemID: LoadedBook] {
        var layerIDs = sent.layers
        for layer in batch.layersToInsert + batch.layersToUpdate {
            layerIDs[layer.itemID, default: []].append(layer.id)
        }
        return Dictionary(
            uniqueKeysWithValues: books.map { id, loaded in
                var loaded = loaded
                if batch.versions[id] != nil || sent.bumped.contains(id) { loaded.version += 1 }
                loaded.book.quants = loaded.book.quants.filter { key, quant in
                    guard let usage = catalog.locations[key.locationID]?.usage else { return false }
                    return (usage == .internal || usage == .transit)
                        && !(quant.quantity.isZero && quant.reserved.isZero)
                }
                let held = Set(loaded.book.quants.keys.compactMap(\.lotID))
                loaded.book.lots = loaded.book.lots.filter { held.contains($0.key) }
                loaded.reservations = loaded.reservations.compactMapValues { lines in
                    let kept = lines.filter { $0.quantity.isPositive }.sorted {
                        ($0.key.locationID, $0.key.lotID?.rawValue ?? 0) < (
                            $1.key.locationID, $1.key.lotID?.rawValue ?? 0
                        )
                    }
                    return kept.isEmpty ? nil : kept
                }
                if let changed = layerIDs[id] {
                    for company in loaded.book.costs.keys { loaded.book.costs[company]?.layers.removeClosed(changed) }
                }
                return (id, loaded)
            })
    }
}

extension Move.State {
    var isOpen: Bool { self == .draft || self == .confirmed || self == .assigned }
}
