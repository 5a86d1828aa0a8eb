import Foundation
import PostgresNIO
import StocklineCore

extension PostgresLedgerStore {
    /// The first id of `count` consecutive blocks of the `row_block` sequence, or nil when concurrent postings kept
    /// taking blocks in between.
    ///
    /// A sequence hands out one block per call, and other transactions may call in between, so the run is taken in
    /// one statement and kept only when it came out consecutive (the blocks of a run that did not are wasted).
    static func reserveBlocks(_ count: Int64, size: Int64, db: PostgresSession) async throws -> Int64? {
        for _ in 0..<10 {
            let starts = try await db.values(
                "SELECT nextval('row_block') FROM generate_series(1, \(count)) ORDER BY 1", as: Int64.self)
            guard let first = starts.first else { return nil }
            if starts == Array(stride(from: first, to: first + count * size, by: Int(size))) { return first }
        }
        return nil
    }

    // MARK: - Locking

    /// The ids of the items a request reads: its SKUs, the items of its orders' open moves, and the items of the
    /// postings it names; the same set `SQLiteLedgerStore.loadState` loads.
    static func resolveItems(_ request: StateRequest, db: PostgresSession) async throws -> Set<Int64> {
        var itemIDs = Set<Int64>()
        if !request.skus.isEmpty {
            itemIDs.formUnion(
                try await db.values("SELECT id FROM item WHERE sku = ANY(\(Array(request.skus)))", as: Int64.self))
        }
        if !request.orders.isEmpty {
            itemIDs.formUnion(
                try await db.values(
                    """
                    SELECT DISTINCT item_id FROM move
                    WHERE reference = ANY(\(Array(request.orders))) AND state IN ('confirmed', 'assigned')
                    """, as: Int64.self))
        }
        if !request.postingKeys.isEmpty {
            itemIDs.formUnion(
                try await db.values(
                    "SELECT item_id FROM posting WHERE key = ANY(\(Array(request.postingKeys))) AND item_id IS NOT NULL",
                    as: Int64.self))
        }
        return itemIDs
    }

    // MARK: - Loading

    /// The state of the items `itemIDs`, exactly as `SQLiteLedgerStore.loadState` loads it.
    static func loadState(
        _ request: StateRequest, itemIDs: Set<Int64>, catalog: Catalog, ids: IDAllocator, db: PostgresSession
    ) async throws -> LedgerState {
        let postings = try await loadPostings(request.postingKeys, db: db)
        var books: [ItemID: ItemBook] = [:]
        var moves: [MoveID: Move] = [:]
        var reservations: [MoveID: [Reservation]] = [:]
        for (id, (book, open, _)) in try await loadBooksAndMoves(
            itemIDs.sorted().map(ItemID.init), lotNames: request.lots, catalog: catalog, db: db)
        {
            books[id] = book
            for move in open { moves[move.id] = move }
        }
        if !moves.isEmpty {
            let rows = try await db.rows(
                """
                SELECT r.* FROM reservation r JOIN move m ON m.id = r.move_id
                WHERE m.item_id = ANY(\(books.keys.map(\.rawValue))) AND m.state = 'assigned'
                ORDER BY r.move_id, r.location_id, r.lot_id
                """)
            for row in rows {
                let moveID = MoveID(try row.get("move_id"))
                let lot: Int64 = try row.get("lot_id")
                reservations[moveID, default: []].append(
                    Reservation(
                        moveID: moveID,
                        key: QuantKey(
                            locationID: LocationID(try row.get("location_id")),
                            lotID: lot == 0 ? nil : LotID(lot)),
                        quantity: Fixed(micros: try row.get("quantity"))))
            }
        }
        let uses = try await loadUses(of: postings.values.flatMap(\.layers), db: db)
        return LedgerState(
            catalog: catalog, books: books, moves: moves, reservations: reservations,
            postings: postings, uses: uses, ids: ids)
    }

    static func loadPostings(_ keys: Set<String>, db: PostgresSession) async throws -> [String: PostingSummary] {
        var result: [String: PostingSummary] = [:]
        for key in keys {
            guard let row = try await db.rows("SELECT * FROM posting WHERE key = \(key)").first,
                let kind = OperationKind(rawValue: try row.get("kind"))
            else { continue }
            let id: Int64 = try row.get("id")
            let moveIDs = try await db.values(
                "SELECT id FROM move WHERE posting_id = \(id) ORDER BY id", as: Int64.self)
            let doneQuantity =
                try await db.value(
                    "SELECT coalesce(sum(quantity), 0)::bigint FROM move WHERE id = ANY(\(moveIDs)) AND state = 'done'",
                    as: Int64.self) ?? 0
            let value =
                try await db.value(
                    """
                    SELECT coalesce(sum(value), 0)::bigint FROM valuation_layer
                    WHERE posting_id = \(id) AND scope != 'transit'
                    """, as: Int64.self) ?? 0
            let returned =
                try await db.value(
                    """
                    SELECT coalesce(sum(quantity), 0)::bigint FROM move WHERE origin_id = ANY(\(moveIDs))
                    AND state = 'done' AND kind IN ('return_from_customer', 'return_to_supplier')
                    """, as: Int64.self) ?? 0
            let layers =
                kind == .receive
                ? try await fetchLayers(
                    db, "SELECT * FROM valuation_layer WHERE posting_id = \(id) AND kind = 'in' ORDER BY id") : []
            result[key] = PostingSummary(
                id: id, key: key, kind: kind, itemID: (try row.get("item_id", as: Int64?.self)).map(ItemID.init),
                companyID: (try row.get("company_id", as: Int64?.self)).map(CompanyID.init),
                quantity: Fixed(micros: doneQuantity), value: Fixed(micros: value),
                returnedQuantity: Fixed(micros: returned), moveIDs: moveIDs.map(MoveID.init), layers: layers)
        }
        return result
    }

    static func fetchMoves(_ db: PostgresSession, _ query: PostgresQuery) async throws -> [Move] {
        try await db.rows(query).map { row in
            Move(
                id: MoveID(try row.get("id")), postingID: try row.get("posting_id"),
                itemID: ItemID(try row.get("item_id")), quantity: Fixed(micros: try row.get("quantity")),
                fromID: LocationID(try row.get("from_id")), toID: LocationID(try row.get("to_id")),
                lotID: (try row.get("lot_id", as: Int64?.self)).map(LotID.init),
                state: try stored(Move.State.self, try row.get("state"), in: "move.state"),
                kind: try stored(OperationKind.self, try row.get("kind"), in: "move.kind"),
                plannedAt: Date(timeIntervalSince1970: try row.get("planned_at")),
                doneAt: (try row.get("done_at", as: Double?.self)).map { Date(timeIntervalSince1970: $0) },
                reference: try row.get("reference"),
                originID: (try row.get("origin_id", as: Int64?.self)).map(MoveID.init))
        }
    }

    static func fetchLayers(_ db: PostgresSession, _ query: PostgresQuery) async throws -> [ValuationLayer] {
        try await db.rows(query).map { row in
            ValuationLayer(
                id: LayerID(try row.get("id")), companyID: CompanyID(try row.get("company_id")),
                itemID: ItemID(try row.get("item_id")),
                scope: try storedScope(try row.get("scope"), try row.get("scope_warehouse_id")),
                postingID: try row.get("posting_id"),
                moveID: (try row.get("move_id", as: Int64?.self)).map(MoveID.init),
                kind: try stored(ValuationLayer.Kind.self, try row.get("kind"), in: "valuation_layer.kind"),
                quantity: Fixed(micros: try row.get("quantity")), value: Fixed(micros: try row.get("value")),
                unitCost: Fixed(micros: try row.get("unit_cost")),
                remainingQuantity: Fixed(micros: try row.get("remaining_quantity")),
                remainingValue: Fixed(micros: try row.get("remaining_value")),
                shortQuantity: Fixed(micros: try row.get("short_quantity")),
                shortValue: Fixed(micros: try row.get("short_value")),
                originID: (try row.get("origin_id", as: Int64?.self)).map(LayerID.init),
                shipmentID: try row.get("shipment_id"),
                account: try account(try row.get("account"), table: "valuation_layer", id: try row.get("id")))
        }
    }

    /// A stored scope; an unknown name is corruption.
    static func storedScope(_ name: String, _ warehouse: Int64) throws -> CostScope {
        guard let scope = scope(name, warehouse) else {
            throw StoreError.corrupt("valuation_layer.scope holds \(name), which is not one of its known values")
        }
        return scope
    }

    static func scope(_ name: String, _ warehouse: Int64) -> CostScope? {
        switch name {
        case "company": .company
        case "warehouse": .warehouse(WarehouseID(warehouse))
        case "transit": .transit(WarehouseID(warehouse))
        default: nil
        }
    }

    static func columns(_ scope: CostScope) -> (String, Int64) {
        switch scope {
        case .company: ("company", 0)
        case .warehouse(let id): ("warehouse", id.rawValue)
        case .transit(let id): ("transit", id.rawValue)
        }
    }

    // MARK: - Writing
}
