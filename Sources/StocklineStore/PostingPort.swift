public import Foundation
public import StocklineCore
import Synchronization

/// What the service's posting pipeline needs of a store: reads before planning and one write after it.
///
/// The pipeline (key check, books, planning, events) lives in the service once; a store only answers these three
/// calls, coarse enough that each is one transaction and, on PostgreSQL, a few round trips for a whole batch.
public protocol PostingPort: Sendable {
    /// Looks up what a batch names: stored outcomes of its keys, its SKUs, orders, earlier postings and named lots,
    /// and ids for its rows.
    func prepare(_ query: PostingQuery) async throws -> PostingPreparation

    /// The books of `ids` as committed, each with its version; items that do not exist are left out.
    func loadBooks(_ ids: Set<ItemID>, catalog: Catalog) async throws -> [ItemID: LoadedBook]

    /// The items of `skus` with the versions of their books as committed now: what a read checks its cached books
    /// against, in one statement however many SKUs.
    func bookVersions(skus: Set<String>) async throws -> BookVersions

    /// Runs `count` more postings' worth of row ids when a plan outgrew the block ``prepare(_:)`` gave it; nil
    /// where ids are not handed out in blocks.
    func rowIDs(atLeast count: Int64) async throws -> IDAllocator

    /// Writes a planned batch in one transaction. The versions of the books it was planned on are checked and
    /// bumped first: when one moved, or a key or order changed meanwhile, it throws ``PostingConflict`` and writes
    /// nothing, and the service plans again on fresh books.
    func write(_ batch: PlannedBatch) async throws

    /// Opens one transaction that planned batches go into as they are planned, so that writing one overlaps
    /// planning the next and a long batch pays for one commit. Each batch carries the checks of the books and
    /// orders it is the first of the session to use (``PlannedBatch/versions``); by default the batches are merged
    /// and written as one at the end.
    ///
    /// `after` is a session not yet committed that this one was planned on: this one writes nothing unless that one
    /// committed (the service also waits for it before it commits this one).
    func beginWrite(after: (any WriteSession)?) async throws -> any WriteSession
}

extension PostingPort {
    public func beginWrite(after: (any WriteSession)?) async throws -> any WriteSession {
        MergingWriteSession(port: self)
    }
}

/// A transaction of ``PostingPort/beginWrite()``, fed while it is open.
public protocol WriteSession: AnyObject, Sendable {
    /// ``PostingPort/prepare(_:)``, as of the session's transaction where the store can read in it.
    func prepare(_ query: PostingQuery) async throws -> PostingPreparation
    /// Queues `batch`; a failure to write it is reported by ``commit()``.
    func write(_ batch: PlannedBatch)
    /// Writes what is queued and commits, or throws (``PostingConflict`` among others) with nothing written.
    func commit() async throws
    /// Rolls back whatever was written.
    func cancel() async
}

/// The session of a store that writes a batch in one go: batches are merged and written by ``commit()``.
final class MergingWriteSession<Port: PostingPort>: WriteSession {
    private let port: Port
    private let merged = Mutex(PlannedBatch())

    init(port: Port) { self.port = port }

    func prepare(_ query: PostingQuery) async throws -> PostingPreparation { try await port.prepare(query) }

    func write(_ batch: PlannedBatch) { merged.withLock { $0.merge(batch) } }

    func commit() async throws { try await port.write(merged.withLock { $0 }) }

    func cancel() async { merged.withLock { $0 = PlannedBatch() } }
}

/// The names a batch of postings reads, gathered from its requests.
public struct PostingQuery: Sendable, Hashable {
    public var keys: [String]
    public var skus: Set<String>
    public var lots: Set<String>
    public var orders: Set<String>
    public var postingKeys: Set<String>
    /// How many postings will take ids.
    public var count: Int
    /// Whether the items with open sales orders are wanted (an allocation over every SKU).
    public var openDemand: Bool
    /// Items whose books the service holds: the others that the batch names are loaded with the preparation.
    public var cached: Set<ItemID> = []

    public init(
        keys: [String], skus: Set<String>, lots: Set<String>, orders: Set<String>, postingKeys: Set<String>,
        openDemand: Bool = false, count: Int
    ) {
        self.keys = keys
        self.skus = skus
        self.lots = lots
        self.orders = orders
        self.postingKeys = postingKeys
        self.openDemand = openDemand
        self.count = count
    }
}

/// What a key already stands for.
public enum StoredKey: Sendable, Hashable {
    /// A posting committed under it, with what it answered.
    case posted(fingerprint: String, result: PostingResult)
    /// A refusal recorded under it (``RequestKeyRecord``), by the refused request's fingerprint.
    case claimed(fingerprint: String)
}

/// Where a batch's row ids come from.
public enum IDSource: Sendable, Hashable {
    /// The next free ids: each posting takes the next posting id and goes on from the rows the one before it took.
    case sequential(posting: Int64, rows: IDAllocator)
    /// One posting id and one block of `size` row ids per posting, in order.
    case blocks(postings: [Int64], starts: [Int64], size: Int64)
}

/// A store's answer to ``PostingQuery``.
public struct PostingPreparation: Sendable {
    /// The catalog as of the same transaction.
    public var catalog: Catalog
    public var keys: [String: StoredKey]
    public var items: [String: ItemID]
    /// The items with open moves of each order.
    public var orders: [String: Set<ItemID>]
    /// The order documents the batch names, open or not.
    public var documents: [String: Order] = [:]
    /// With ``PostingQuery/openDemand``: every item with an open sales order.
    public var demandItems: Set<ItemID> = []
    public var postings: [String: PostingSummary]
    public var uses: [LayerID: [LayerUse]]
    /// Lots the batch names, of the items its SKUs name.
    public var lots: [ItemID: [Lot]]
    /// The books of the items named that are not in ``PostingQuery/cached``, as of the same transaction.
    public var books: [ItemID: LoadedBook]
    public var ids: IDSource

    public init(
        catalog: Catalog, keys: [String: StoredKey], items: [String: ItemID], orders: [String: Set<ItemID>],
        postings: [String: PostingSummary], uses: [LayerID: [LayerUse]], lots: [ItemID: [Lot]],
        books: [ItemID: LoadedBook], ids: IDSource
    ) {
        self.books = books
        self.catalog = catalog
        self.keys = keys
        self.items = items
        self.orders = orders
        self.postings = postings
        self.uses = uses
        self.lots = lots
        self.ids = ids
    }
}

/// One item's book as committed: what a posting on the item reads, and the version a write checks it against.
public struct LoadedBook: Sendable, Hashable {
    public var book: ItemBook
    /// Its open (draft, confirmed, assigned) moves, with their reservations.
    public var moves: [MoveID: Move]
    public var reservations: [MoveID: [Reservation]]
    /// The open orders with a line for the item.
    public var orders: [String: Order]
    public var version: Int64

    public init(
        book: ItemBook, moves: [MoveID: Move], reservations: [MoveID: [Reservation]], orders: [String: Order] = [:],
        version: Int64
    ) {
        self.book = book
        self.moves = moves
        self.reservations = reservations
        self.orders = orders
        self.version = version
    }
}

/// An item and the version of its book.
public struct BookVersion: Sendable, Hashable {
    public var item: ItemID
    public var version: Int64

    public init(item: ItemID, version: Int64) {
        self.item = item
        self.version = version
    }
}

/// The catalog and the items of some SKUs with their book versions, read in one transaction.
public struct BookVersions: Sendable {
    public var catalog: Catalog
    public var items: [String: BookVersion]

    public init(catalog: Catalog, items: [String: BookVersion]) {
        self.catalog = catalog
        self.items = items
    }
}

/// A write lost a race: another writer changed a book, took a key or extended an order the batch was planned on.
public struct PostingConflict: Error, Sendable, CustomStringConvertible {
    /// The books to load again.
    public var items: Set<ItemID>
    public var reason: String

    public init(items: Set<ItemID>, reason: String) {
        self.items = items
        self.reason = reason
    }

    public var description: String { "a concurrent write changed what this batch was planned on: \(reason)" }
}

/// The row of one posting.
public struct PostingRow: Sendable, Hashable {
    public var id: Int64
    public var request: PostingRequest
    public var fingerprint: String
    public var result: String
    public var itemID: Int64?
    public var companyID: Int64?

    /// The row of `request`, posted as `result`; the item and company are those of its first move.
    public init(
        request: PostingRequest, fingerprint: String, result: PostingResult, itemID: ItemID?, companyID: CompanyID?
    ) {
        self.id = result.postingID
        self.request = request
        self.fingerprint = fingerprint
        self.result = CompactJSON.result(result)
        self.itemID = itemID?.rawValue
        self.companyID = companyID?.rawValue
    }
}

/// An event for the outbox.
public struct OutboxEntry: Sendable, Hashable {
    public var type: String
    public var subject: String
    /// The payload as the event row keeps it (JSON), written once where the event is made.
    public var payload: String
    public var at: Date

    public init(type: String, subject: String, payload: [String: String], at: Date) {
        self.type = type
        self.subject = subject
        self.payload = CompactJSON.object(payload)
        self.at = at
    }
}

/// The rows a batch of planned postings writes, merged so that each row is written once, as the last posting of the
/// batch left it (a move created by one posting and done by the next is inserted done).
public struct PlannedBatch: Sendable {
    public struct QuantKeyRow: Sendable, Hashable {
        public var itemID: ItemID
        public var key: QuantKey
    }

    public struct JournalRow: Sendable, Hashable {
        public var postingID: Int64
        public var line: Int64
        public var at: Date
        public var journalLine: JournalLine
    }

    public struct CostRow: Sendable, Hashable {
        public var itemID: ItemID
        public var companyID: CompanyID
        public var scope: CostScope
        public var totals: CostTotals
    }

    /// The version of each book the batch's postings were planned on; the write bumps them.
    public var versions: [ItemID: Int64] = [:]
    /// Versions of books only read (by refused postings), checked but not bumped.
    public var checked: [ItemID: Int64] = [:]
    /// The items each order named by the batch had open moves on when it was planned.
    public var orders: [String: Set<ItemID>] = [:]
    public var postings: [PostingRow] = []
    public var lots: [Lot] = []
    /// Quant changes as deltas, in the order first touched; `inSequence` is the last posting's.
    public private(set) var quants: [QuantKeyRow: ChangeSet.QuantDelta] = [:]
    public private(set) var quantOrder: [QuantKeyRow] = []
    public private(set) var newMoves: [MoveID: Move] = [:]
    public private(set) var changedMoves: [MoveID: Move] = [:]
    /// Each rewritten move's reservation lines (none: its reservations go).
    public private(set) var reservations: [MoveID: [Reservation]] = [:]
    public private(set) var newLayers: [LayerID: ValuationLayer] = [:]
    public private(set) var changedLayers: [LayerID: ValuationLayer] = [:]
    public private(set) var layerUses: [LayerUse] = []
    public private(set) var journal: [JournalRow] = []
    /// The cost rows that changed, by item and company: the company's (``CostScope/company``) and each scope's.
    public private(set) var costs: [ChangeSet.CostRef: [CostScope: CostTotals]] = [:]
    public private(set) var items: [ItemID: Item] = [:]
    /// Orders created or changed, as the last posting left them.
    public private(set) var documents: [String: Order] = [:]
    public private(set) var events: [OutboxEntry] = []

    public init() {}

    /// Nothing to write and nothing to check.
    public var isEmpty: Bool { postings.isEmpty && checked.isEmpty && versions.isEmpty && orders.isEmpty }

    /// Adds a planned posting: its row, and the changes its plan left in `state`; `before` gives the books as they
    /// were before it, so that only the cost rows it changed are written.
    public mutating func add(
        _ posting: PostingRow, state: LedgerState, before: (ItemID) -> ItemBook? = { _ in nil }
    ) {
        postings.append(posting)
        let changes = state.changes
        lots += changes.newLots
        for (ref, delta) in changes.quants { add(delta, to: QuantKeyRow(itemID: ref.itemID, key: ref.key)) }
        for id in changes.newMoves { newMoves[id] = state.moves[id] }
        for id in changes.updatedMoves {
            guard let move = state.moves[id] else { continue }
            if newMoves[id] != nil { newMoves[id] = move } else { changedMoves[id] = move }
        }
        for id in changes.reservations {
            reservations[id] = (state.reservations[id] ?? []).filter { $0.quantity.isPositive }
        }
        for book in state.books.values {
            for costs in book.costs.values {
                for id in changes.newLayers { if let layer = costs.layers[id] { newLayers[id] = layer } }
                for id in changes.updatedLayers {
                    guard let layer = costs.layers[id] else { continue }
                    if newLayers[id] != nil { newLayers[id] = layer } else { changedLayers[id] = layer }
                }
            }
        }
        layerUses += changes.layerUses
        var line: Int64 = 0
        for entry in changes.journal {
            for journalLine in entry.lines {
                line += 1
                journal.append(
                    JournalRow(postingID: entry.postingID, line: line, at: entry.at, journalLine: journalLine))
            }
        }
        for ref in changes.costs {
            guard let book = state.books[ref.itemID]?.costs[ref.companyID] else { continue }
            let earlier = before(ref.itemID)?.costs[ref.companyID]
            var rows = costs[ref] ?? [:]
            if earlier?.totals != book.totals { rows[.company] = book.totals }
            for (scope, totals) in book.scopes where scope != .company && earlier?.scopes[scope] != totals {
                rows[scope] = totals
            }
            costs[ref] = rows
        }
        for id in changes.items { items[id] = state.books[id]?.item }
        for id in changes.orders { documents[id] = state.orders[id] }
        events += changes.events.map {
            OutboxEntry(type: $0.type, subject: $0.subject, payload: $0.payload, at: posting.request.now)
        }
    }

    /// Adds `later`, planned after this batch on the books it leaves: its rows go on from these (a move this batch
    /// inserts and `later` changes is inserted as `later` left it), its checks join these where it is the first to
    /// use a book or order.
    public mutating func merge(_ later: PlannedBatch) {
        versions.merge(later.versions) { first, _ in first }
        checked.merge(later.checked) { first, _ in first }
        orders.merge(later.orders) { first, _ in first }
        postings += later.postings
        lots += later.lots
        for (key, delta) in later.quantChanges { add(delta, to: key) }
        for (id, move) in later.newMoves { newMoves[id] = move }
        for (id, move) in later.changedMoves {
            if newMoves[id] != nil { newMoves[id] = move } else { changedMoves[id] = move }
        }
        reservations.merge(later.reservations) { _, newer in newer }
        for (id, layer) in later.newLayers { newLayers[id] = layer }
        for (id, layer) in later.changedLayers {
            if newLayers[id] != nil { newLayers[id] = layer } else { changedLayers[id] = layer }
        }
        layerUses += later.layerUses
        journal += later.journal
        costs.merge(later.costs) { earlier, newer in earlier.merging(newer) { _, last in last } }
        items.merge(later.items) { _, newer in newer }
        documents.merge(later.documents) { _, newer in newer }
        events += later.events
    }

    private mutating func add(_ delta: ChangeSet.QuantDelta, to key: QuantKeyRow) {
        if var merged = quants[key] {
            merged.quantity += delta.quantity
            merged.reserved += delta.reserved
            merged.inSequence = delta.inSequence
            quants[key] = merged
        } else {
            quants[key] = delta
            quantOrder.append(key)
        }
    }

    /// Quant deltas in the order first touched.
    public var quantChanges: [(QuantKeyRow, ChangeSet.QuantDelta)] {
        quantOrder.compactMap { k in quants[k].map { (k, $0) } }
    }
    public var movesToInsert: [Move] { newMoves.values.sorted { $0.id < $1.id } }
    public var movesToUpdate: [Move] { changedMoves.values.sorted { $0.id < $1.id } }
    public var layersToInsert: [ValuationLayer] { newLayers.values.sorted { $0.id < $1.id } }
    public var layersToUpdate: [ValuationLayer] { changedLayers.values.sorted { $0.id < $1.id } }
    public var costRows: [CostRow] {
        costs.sorted { ($0.key.itemID, $0.key.companyID) < ($1.key.itemID, $1.key.companyID) }.flatMap { ref, rows in
            rows.map { CostRow(itemID: ref.itemID, companyID: ref.companyID, scope: $0.key, totals: $0.value) }
        }
    }
    public var changedItems: [Item] { items.values.sorted { $0.id < $1.id } }
    public var changedOrders: [Order] { documents.values.sorted { $0.id < $1.id } }
    public var reservationChanges: [(MoveID, [Reservation])] {
        reservations.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
