import StocklineCore
import StocklineStore

extension LedgerState {
    /// The state of `books` as loaded or cached: their items' books, open moves, reservations and open orders.
    init(
        catalog: Catalog, loaded books: some Sequence<LoadedBook>, postings: [String: PostingSummary] = [:],
        uses: [LayerID: [LayerUse]] = [:], ids: IDAllocator
    ) {
        var items: [ItemID: ItemBook] = [:]
        var moves: [MoveID: Move] = [:]
        var reservations: [MoveID: [Reservation]] = [:]
        var orders: [String: Order] = [:]
        for loaded in books {
            items[loaded.book.item.id] = loaded.book
            moves.merge(loaded.moves) { a, _ in a }
            reservations.merge(loaded.reservations) { a, _ in a }
            orders.merge(loaded.orders) { a, _ in a }
        }
        self.init(
            catalog: catalog, books: items, moves: moves, reservations: reservations, postings: postings, uses: uses,
            orders: orders, ids: ids)
    }
}

/// Item books as last committed, kept in memory so a posting on a hot item reads no SQL; bounded by an estimate of
/// the bytes they take, least recently used first out.
///
/// An entry is exactly what a fresh load from the store would give (``LoadedBook``), with the version it was
/// committed at; a write planned on an entry some other writer has since changed is refused by the store and the
/// entry dropped, so the cache can be stale but a stale plan is never acknowledged.
public struct BookCache: Sendable {
    private struct Entry {
        var book: LoadedBook
        var bytes: Int
        var used: UInt64
    }

    /// The default bound of `--book-cache-mb`.
    public static let defaultMegabytes = 64

    let limit: Int
    private var entries: [ItemID: Entry] = [:]
    private var bytes = 0
    private var clock: UInt64 = 0
    /// SKUs never change their item, so their ids stay known once read.
    private(set) var skus: [String: ItemID] = [:]

    init(megabytes: Int) {
        limit = max(0, megabytes) << 20
    }

    var count: Int { entries.count }
    var all: [ItemID: LoadedBook] { entries.mapValues(\.book) }
    var totalBytes: Int { bytes }

    mutating func book(_ id: ItemID) -> LoadedBook? {
        guard var entry = entries[id] else { return nil }
        clock += 1
        entry.used = clock
        entries[id] = entry
        return entry.book
    }

    mutating func remember(sku: String, id: ItemID) { skus[sku] = id }

    func has(_ id: ItemID) -> Bool { entries[id] != nil }

    /// Keeps `book` unless a newer version of it is kept already (a read that loaded it while a write committed).
    mutating func put(_ id: ItemID, _ book: LoadedBook) {
        if let kept = entries[id], kept.book.version > book.version { return }
        drop([id])
        let size = Self.estimate(book)
        guard size <= limit else { return }
        clock += 1
        entries[id] = Entry(book: book, bytes: size, used: clock)
        bytes += size
        if bytes > limit { evict() }
    }

    mutating func drop(_ ids: some Sequence<ItemID>) {
        for id in ids {
            if let gone = entries.removeValue(forKey: id) { bytes -= gone.bytes }
        }
    }

    mutating func removeAll() {
        entries = [:]
        bytes = 0
    }

    /// Drops the least recently used books until the cache is back under nine tenths of its bound, so eviction
    /// runs now and then, not on every put.
    private mutating func evict() {
        let target = limit / 10 * 9
        for (id, entry) in entries.sorted(by: { $0.value.used < $1.value.used }) where bytes > target {
            entries[id] = nil
            bytes -= entry.bytes
        }
    }

    /// A rough size: the rows' strides, and as much again for the dictionaries' overhead.
    static func estimate(_ loaded: LoadedBook) -> Int {
        let book = loaded.book
        let layers = book.costs.values.reduce(0) { $0 + $1.layers.count }
        let rows =
            book.quants.count * MemoryLayout<Quant>.stride + book.lots.count * (MemoryLayout<Lot>.stride + 32)
            + layers * MemoryLayout<ValuationLayer>.stride + loaded.moves.count * (MemoryLayout<Move>.stride + 32)
            + loaded.reservations.values.reduce(0) { $0 + $1.count } * MemoryLayout<Reservation>.stride
        return 1_024 + 2 * rows
    }
}
