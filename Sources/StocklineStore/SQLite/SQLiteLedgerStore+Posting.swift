import Foundation
import GRDB
import StocklineCore

extension SQLiteLedgerStore {
    // MARK: - Loading

    static func loadState(_ request: StateRequest, catalog: Catalog, db: Database) throws -> LedgerState {
        var itemIDs = Set<Int64>()
        for sku in request.skus {
            if let id = try Int64.cachedOne(db, sql: "SELECT id FROM item WHERE sku = ?", arguments: [sku]) {
                itemIDs.insert(id)
            }
        }
        for order in request.orders {
            itemIDs.formUnion(
                try Int64.cachedAll(
                    db,
                    sql: """
                        SELECT DISTINCT item_id FROM move WHERE reference = ? AND state IN ('confirmed', 'assigned')
                        """, arguments: [order]))
        }
        let postings = try loadPostings(request.postingKeys, db: db)
        itemIDs.formUnion(postings.values.compactMap { $0.itemID?.rawValue })
        var books: [ItemID: ItemBook] = [:]
        var moves: [MoveID: Move] = [:]
        var reservations: [MoveID: [Reservation]] = [:]
        for id in itemIDs.sorted() {
            guard let book = try loadBook(ItemID(id), lotNames: request.lots, catalog: catalog, db: db) else {
                continue
            }
            books[book.item.id] = book
            for move in try fetchMoves(db, "item_id = ? AND state IN ('draft', 'confirmed', 'assigned')", [id]) {
                moves[move.id] = move
            }
        }
        for successor in Set(books.values.compactMap(\.item.successorID)) where books[successor] == nil {
            if let book = try loadBook(successor, lotNames: [], catalog: catalog, db: db) { books[successor] = book }
        }
        if !moves.isEmpty {
            let rows = try Row.cachedAll(
                db,
                sql: """
                    SELECT r.* FROM reservation r JOIN move m ON m.id = r.move_id
                    WHERE m.item_id IN (SELECT value FROM json_each(?)) AND m.state = 'assigned'
                    """, arguments: [try json(books.keys.map(\.rawValue).sorted())])
            for row in rows {
                let moveID = MoveID(row["move_id"])
                let lot: Int64 = row["lot_id"]
                reservations[moveID, default: []].append(
                    Reservation(
                        moveID: moveID,
                        key: QuantKey(locationID: LocationID(row["location_id"]), lotID: lot == 0 ? nil : LotID(lot)),
                        quantity: Fixed(micros: row["quantity"])))
            }
        }
        let ids = IDAllocator(
            nextMove: (try Int64.cachedOne(db, sql: "SELECT max(id) FROM move") ?? 0) + 1,
            nextLayer: (try Int64.cachedOne(db, sql: "SELECT max(id) FROM valuation_layer") ?? 0) + 1,
            nextLot: (try Int64.cachedOne(db, sql: "SELECT max(id) FROM lot") ?? 0) + 1)
        let uses = try loadUses(of: postings.values.flatMap(\.layers), db: db)
        return LedgerState(
            catalog: catalog, books: books, moves: moves, reservations: reservations, postings: postings,
            uses: uses, ids: ids)
    }

    static func loadBook(_ id: ItemID, lotNames: Set<String>, catalog: Catalog, db: Database) throws -> ItemBook? {
        guard let data = try String.cachedOne(db, sql: "SELECT data FROM item WHERE id = ?", arguments: [id.rawValue])
        else {
            return nil
        }
        var book = ItemBook(item: try DecodedItems.item(from: data))
        let rows = try Row.cachedAll(
            db,
            sql: """
                SELECT q.* FROM quant q JOIN location l ON l.id = q.location_id
                WHERE q.item_id = ? AND l.usage IN ('internal', 'transit')
                """, arguments: [id.rawValue])
        for row in rows {
            let lot: Int64 = row["lot_id"]
            let key = QuantKey(locationID: LocationID(row["location_id"]), lotID: lot == 0 ? nil : LotID(lot))
            book.quants[key] = Quant(
                key: key, quantity: Fixed(micros: row["quantity"]), reserved: Fixed(micros: row["reserved"]),
                inSequence: row["in_sequence"])
        }
        let lotIDs = Set(book.quants.keys.compactMap { $0.lotID?.rawValue })
        var lotRows =
            lotIDs.isEmpty
            ? []
            : try Row.cachedAll(
                db, sql: "SELECT * FROM lot WHERE item_id = ? AND id IN (SELECT value FROM json_each(?))",
                arguments: [id.rawValue, try json(lotIDs.sorted())])
        for name in lotNames {
            lotRows += try Row.cachedAll(
                db, sql: "SELECT * FROM lot WHERE item_id = ? AND name = ?", arguments: [id.rawValue, name])
        }
        for row in lotRows {
            let lot = Lot(
                id: LotID(row["id"]), itemID: id, name: row["name"],
                expiry: (row["expiry"] as Double?).map { Date(timeIntervalSince1970: $0) })
            book.lots[lot.id] = lot
        }
        for row in try Row.cachedAll(db, sql: "SELECT * FROM cost WHERE item_id = ?", arguments: [id.rawValue]) {
            let companyID = CompanyID(row["company_id"])
            guard let company = catalog.companies[companyID] else { continue }
            var costs = book.costs[companyID] ?? CostBook(method: company.costing)
            let totals = CostTotals(
                quantity: Fixed(micros: row["quantity"]), value: Fixed(micros: row["value"]),
                unitCost: (row["unit_cost"] as Int64?).map(Fixed.init(micros:)))
            if let scope = scope(row["scope"], row["scope_warehouse_id"]), scope != .company {
                costs.scopes[scope] = totals
            } else {
                costs.totals = totals
            }
            book.costs[companyID] = costs
        }
        let open = try fetchLayers(
            db, "item_id = ? AND (remaining_quantity != 0 OR short_quantity != 0)", [id.rawValue])
        for layer in open {
            guard let company = catalog.companies[layer.companyID] else { continue }
            book.costs[layer.companyID, default: CostBook(method: company.costing)].layers[layer.id] = layer
        }
        return book
    }

    static func loadPostings(_ keys: Set<String>, db: Database) throws -> [String: PostingSummary] {
        var result: [String: PostingSummary] = [:]
        for key in keys {
            guard let row = try Row.cachedOne(db, sql: "SELECT * FROM posting WHERE key = ?", arguments: [key]),
                let kind = OperationKind(rawValue: row["kind"])
            else { continue }
            let id: Int64 = row["id"]
            let moveIDs = try Int64.cachedAll(
                db, sql: "SELECT id FROM move WHERE posting_id = ? ORDER BY id", arguments: [id])
            let doneQuantity =
                try Int64.cachedOne(
                    db,
                    sql:
                        "SELECT coalesce(sum(quantity), 0) FROM move WHERE id IN (SELECT value FROM json_each(?)) AND state = 'done'",
                    arguments: [try json(moveIDs)]) ?? 0
            let value =
                try Int64.cachedOne(
                    db,
                    sql:
                        "SELECT coalesce(sum(value), 0) FROM valuation_layer WHERE posting_id = ? AND scope != 'transit'",
                    arguments: [id]) ?? 0
            let returned =
                try Int64.cachedOne(
                    db,
                    sql: """
                        SELECT coalesce(sum(quantity), 0) FROM move WHERE origin_id IN (SELECT value FROM json_each(?))
                        AND state = 'done' AND kind IN ('return_from_customer', 'return_to_supplier')
                        """, arguments: [try json(moveIDs)]) ?? 0
            result[key] = PostingSummary(
                id: id, key: key, kind: kind, itemID: (row["item_id"] as Int64?).map(ItemID.init),
                companyID: (row["company_id"] as Int64?).map(CompanyID.init), quantity: Fixed(micros: doneQuantity),
                value: Fixed(micros: value), returnedQuantity: Fixed(micros: returned),
                moveIDs: moveIDs.map(MoveID.init),
                layers: kind == .receive ? try fetchLayers(db, "posting_id = ? AND kind = 'in'", [id]) : [])
        }
        return result
    }

    /// `condition` must be one of a few fixed texts (the statement is cached by its text).
    static func fetchMoves(_ db: Database, _ condition: String, _ arguments: StatementArguments) throws -> [Move] {
        try Row.cachedAll(db, sql: "SELECT * FROM move WHERE \(condition)", arguments: arguments).map { row in
            Move(
                id: MoveID(row["id"]), postingID: row["posting_id"], itemID: ItemID(row["item_id"]),
                quantity: Fixed(micros: row["quantity"]), fromID: LocationID(row["from_id"]),
                toID: LocationID(row["to_id"]),
                lotID: (row["lot_id"] as Int64?).map(LotID.init),
                state: try stored(Move.State.self, row["state"], in: "move.state"),
                kind: try stored(OperationKind.self, row["kind"], in: "move.kind"),
                plannedAt: Date(timeIntervalSince1970: row["planned_at"]),
                doneAt: (row["done_at"] as Double?).map { Date(timeIntervalSince1970: $0) },
                reference: row["reference"],
                originID: (row["origin_id"] as Int64?).map(MoveID.init))
        }
    }

    static func fetchLayers(_ db: Database, _ condition: String, _ arguments: StatementArguments) throws
        -> [ValuationLayer]
    {
        // Columns by position: a lookup by name lowercases the name on every row, which dominated loading a book
        // with thousands of open layers.
        try Row.cachedAll(
            db,
            sql: """
                SELECT id, company_id, item_id, scope, scope_warehouse_id, posting_id, move_id, kind, quantity, value,
                    unit_cost, remaining_quantity, remaining_value, short_quantity, short_value, origin_id, shipment_id,
                    account
                FROM valuation_layer WHERE \(condition)
                """, arguments: arguments
        ).map { row in
            let id: Int64 = row[0]
            guard let scope = scope(row[3], row[4]), let kind = ValuationLayer.Kind(rawValue: row[7]) else {
                throw StoreError.corrupt("valuation_layer \(id): scope \(row[3] as String) or kind \(row[7] as String)")
            }
            return ValuationLayer(
                id: LayerID(id), companyID: CompanyID(row[1]), itemID: ItemID(row[2]), scope: scope,
                postingID: row[5], moveID: (row[6] as Int64?).map(MoveID.init), kind: kind,
                quantity: Fixed(micros: row[8]), value: Fixed(micros: row[9]), unitCost: Fixed(micros: row[10]),
                remainingQuantity: Fixed(micros: row[11]), remainingValue: Fixed(micros: row[12]),
                shortQuantity: Fixed(micros: row[13]), shortValue: Fixed(micros: row[14]),
                originID: (row[15] as Int64?).map(LayerID.init), shipmentID: row[16],
                account: try account(row[17], table: "valuation_layer", id: id))
        }
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
}
