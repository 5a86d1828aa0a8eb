import Foundation
import PostgresNIO
public import StocklineCore

extension PostgresLedgerStore {
    public func prepare(_ query: PostingQuery) async throws -> PostingPreparation {
        // A write transaction only because taking ids (`nextval`) is a write; it locks nothing.
        try await transaction(.write) { db in
            let keyList = Array(Set(query.keys)).sorted()
            var keys: [String: StoredKey] = [:]
            for row in try await db.rows("SELECT key, fingerprint FROM request_key WHERE key = ANY(\(keyList))") {
                keys[try row.get("key")] = .claimed(fingerprint: try row.get("fingerprint"))
            }
            for row in try await db.rows("SELECT key, fingerprint, result FROM posting WHERE key = ANY(\(keyList))") {
                keys[try row.get("key")] = .posted(
                    fingerprint: try row.get("fingerprint"),
                    result: try Self.decode(PostingResult.self, try row.get("result")))
            }
            var items: [String: ItemID] = [:]
            for row in try await db.rows("SELECT sku, id FROM item WHERE sku = ANY(\(query.skus.sorted()))") {
                items[try row.get("sku")] = ItemID(try row.get("id"))
            }
            var orders: [String: Set<ItemID>] = [:]
            if !query.orders.isEmpty {
                for order in query.orders { orders[order] = [] }
                for row in try await db.rows(
                    """
                    SELECT DISTINCT reference, item_id FROM move
                    WHERE reference = ANY(\(query.orders.sorted())) AND state IN ('confirmed', 'assigned')
                    """)
                {
                    orders[try row.get("reference"), default: []].insert(ItemID(try row.get("item_id")))
                }
            }
            let postings = try await Self.loadPostings(query.postingKeys, db: db)
            let uses = try await Self.loadUses(of: postings.values.flatMap(\.layers), db: db)
            var lots: [ItemID: [Lot]] = [:]
            if !query.lots.isEmpty, !items.isEmpty {
                for row in try await db.rows(
                    """
                    SELECT id, item_id, name, expiry FROM lot
                    WHERE item_id = ANY(\(items.values.map(\.rawValue).sorted())) AND name = ANY(\(query.lots.sorted()))
                    """)
                {
                    let item = ItemID(try row.get("item_id"))
                    lots[item, default: []].append(
                        Lot(
                            id: LotID(try row.get("id")), itemID: item, name: try row.get("name"),
                            expiry: (try row.get("expiry", as: Double?.self)).map { Date(timeIntervalSince1970: $0) }))
                }
            }
            let catalog = try await self.catalog(db)
            let documents = try await Self.loadOrders(ids: query.orders, db: db)
            let demand = query.openDemand ? try await Self.itemsWithOpenSales(db: db) : []
            var wanted = Set(items.values).union(orders.values.joined()).union(postings.values.compactMap(\.itemID))
            wanted.formUnion(documents.values.flatMap(\.itemIDs))
            wanted.formUnion(demand)
            wanted.subtract(query.cached)
            let books = try await Self.loadBooks(wanted, catalog: catalog, db: db)
            let ids = try await db.rows(
                """
                SELECT nextval('posting_id') AS posting, nextval('row_block') AS block,
                    (SELECT seqincrement FROM pg_sequence WHERE seqrelid = 'row_block'::regclass) AS size
                FROM generate_series(1, \(Int64(max(1, query.count))))
                """)
            let postingIDs = try ids.map { try $0.get("posting", as: Int64.self) }.sorted()
            let starts = try ids.map { try $0.get("block", as: Int64.self) }.sorted()
            guard let size = try ids.first?.get("size", as: Int64.self) else {
                throw StoreError.corrupt("the id sequences answered nothing")
            }
            var preparation = PostingPreparation(
                catalog: catalog, keys: keys, items: items, orders: orders, postings: postings,
                uses: uses, lots: lots, books: books,
                ids: .blocks(postings: postingIDs, starts: starts, size: size))
            preparation.documents = documents
            preparation.demandItems = demand
            return preparation
        }
    }

    static func loadUses(of layers: [ValuationLayer], db: PostgresSession) async throws -> [LayerID: [LayerUse]] {
        var uses: [LayerID: [LayerUse]] = [:]
        for layer in layers {
            uses[layer.id] = try await db.rows(
                "SELECT * FROM layer_use WHERE origin_id = \(layer.id.rawValue) ORDER BY id"
            ).map { row in
                LayerUse(
                    postingID: try row.get("posting_id"), layerID: LayerID(try row.get("layer_id")),
                    originID: layer.id, quantity: Fixed(micros: try row.get("quantity")),
                    value: Fixed(micros: try row.get("value")), leftStock: try row.get("left_stock"),
                    account: try account(try row.get("account"), table: "layer_use", id: try row.get("id")))
            }
        }
        return uses
    }

    public func loadBooks(_ ids: Set<ItemID>, catalog: Catalog) async throws -> [ItemID: LoadedBook] {
        guard !ids.isEmpty else { return [:] }
        return try await transaction(.read) { db in try await Self.loadBooks(ids, catalog: catalog, db: db) }
    }

    static func loadBooks(_ ids: Set<ItemID>, catalog: Catalog, db: PostgresSession) async throws
        -> [ItemID: LoadedBook]
    {
        guard !ids.isEmpty else { return [:] }
        var loaded: [ItemID: LoadedBook] = [:]
        for (id, (book, moves, version)) in try await loadBooksAndMoves(ids.sorted(), catalog: catalog, db: db) {
            loaded[id] = LoadedBook(
                book: book, moves: Dictionary(uniqueKeysWithValues: moves.map { ($0.id, $0) }), reservations: [:],
                version: version)
        }
        for (id, orders) in try await openOrders(of: loaded.keys.map(\.rawValue).sorted(), db: db) {
            loaded[id]?.orders = orders
        }
        let withMoves = loaded.filter { !$0.value.moves.isEmpty }.keys.map(\.rawValue).sorted()
        guard !withMoves.isEmpty else { return loaded }
        for row in try await db.rows(
            """
            SELECT r.move_id, r.location_id, r.lot_id, r.quantity, m.item_id FROM reservation r
            JOIN move m ON m.id = r.move_id WHERE m.item_id = ANY(\(withMoves)) AND m.state = 'assigned'
            ORDER BY r.move_id, r.location_id, r.lot_id
            """)
        {
            let moveID = MoveID(try row.get("move_id"))
            let lot: Int64 = try row.get("lot_id")
            loaded[ItemID(try row.get("item_id"))]?.reservations[moveID, default: []].append(
                Reservation(
                    moveID: moveID,
                    key: QuantKey(
                        locationID: LocationID(try row.get("location_id")), lotID: lot == 0 ? nil : LotID(lot)),
                    quantity: Fixed(micros: try row.get("quantity"))))
        }
        return loaded
    }

    public func bookVersions(skus: Set<String>) async throws -> BookVersions {
        try await transaction(.read) { db in
            let catalog = try await self.catalog(db)
            var versions: [String: BookVersion] = [:]
            for row in try await db.rows(
                "SELECT sku, id, version AS book_version FROM item JOIN item_book ON item_id = id WHERE sku = ANY(\(skus.sorted()))"
            ) {
                versions[try row.get("sku")] = BookVersion(
                    item: ItemID(try row.get("id")), version: try row.get("book_version"))
            }
            return BookVersions(catalog: catalog, items: versions)
        }
    }

    public func rowIDs(atLeast count: Int64) async throws -> IDAllocator {
        try await transaction(.write) { db in
            let size = PostgresSchema.rowBlockSize
            let blocks = (count + size - 1) / size
            guard let start = try await Self.reserveBlocks(blocks, size: size, db: db) else {
                throw PostgresStoreError.rowBlockExhausted(key: "", used: count, limit: size)
            }
            return IDAllocator(nextMove: start, nextLayer: start, nextLot: start)
        }
    }

    public func write(_ batch: PlannedBatch) async throws {
        guard !batch.isEmpty else { return }
        try await transaction(.write) { db in
            do {
                try await Self.checkVersions(batch, db: db)
                guard !batch.postings.isEmpty else { return }
                try await Self.persist(batch, db: db)
                try await Self.writeOrders(batch.changedOrders, db: db)
                try await Self.appendEvents(db, batch.events)
            } catch let error as PSQLError where error.sqlState == "23505" {
                // Another instance committed a posting under one of the batch's keys since it was prepared.
                throw PostingConflict(items: [], reason: "a key of the batch was taken")
            }
        }
    }

    /// Locks the batch's items in id order, so two writers never wait for each other in a circle, and bumps their
    /// versions; a version that moved since the batch was planned is a conflict. Then its orders must still have
    /// open moves on the items they had.
    static func checkVersions(_ batch: PlannedBatch, db: PostgresSession) async throws {
        var stale = Set<ItemID>()
        let readOnly = batch.checked.filter { batch.versions[$0.key] == nil }
        if !readOnly.isEmpty {
            for row in try await db.rows(
                "SELECT item_id AS id, version AS book_version FROM item_book WHERE item_id = ANY(\(readOnly.keys.map(\.rawValue).sorted()))"
            ) {
                let id = ItemID(try row.get("id"))
                if try row.get("book_version", as: Int64.self) != readOnly[id] { stale.insert(id) }
            }
        }
        let ids = batch.versions.keys.map(\.rawValue).sorted()
        if !ids.isEmpty {
            var seen = Set<ItemID>()
            for row in try await db.rows(
                """
                WITH locked AS (
                    SELECT item_id, version FROM item_book WHERE item_id = ANY(\(ids)) ORDER BY item_id FOR UPDATE)
                UPDATE item_book SET version = item_book.version + 1 FROM locked WHERE item_book.item_id = locked.item_id
                RETURNING item_book.item_id AS id, locked.version AS before
                """)
            {
                let id = ItemID(try row.get("id"))
                seen.insert(id)
                if try row.get("before", as: Int64.self) != batch.versions[id] { stale.insert(id) }
            }
            stale.formUnion(Set(batch.versions.keys).subtracting(seen))
        }
        guard stale.isEmpty else {
            throw PostingConflict(items: stale, reason: "items \(stale.map(\.rawValue).sorted()) changed")
        }
        guard !batch.orders.isEmpty else { return }
        var now: [String: Set<ItemID>] = [:]
        for order in batch.orders.keys { now[order] = [] }
        for row in try await db.rows(
            """
            SELECT DISTINCT reference, item_id FROM move
            WHERE reference = ANY(\(batch.orders.keys.sorted())) AND state IN ('confirmed', 'assigned')
            """)
        {
            now[try row.get("reference"), default: []].insert(ItemID(try row.get("item_id")))
        }
        for (order, planned) in batch.orders where now[order] != planned {
            throw PostingConflict(
                items: (now[order] ?? []).symmetricDifference(planned), reason: "order \(order) changed")
        }
    }
}
