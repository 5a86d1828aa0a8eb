import Foundation
import GRDB
public import StocklineCore

extension SQLiteLedgerStore {
    public func prepare(_ query: PostingQuery) async throws -> PostingPreparation {
        try await pool.read { db in
            var keys: [String: StoredKey] = [:]
            let keyList = try Self.json(Array(Set(query.keys)).sorted())
            for row in try Row.cachedAll(
                db, sql: "SELECT key, fingerprint FROM request_key WHERE key IN (SELECT value FROM json_each(?))",
                arguments: [keyList])
            {
                keys[row[0]] = .claimed(fingerprint: row[1])
            }
            for row in try Row.cachedAll(
                db, sql: "SELECT key, fingerprint, result FROM posting WHERE key IN (SELECT value FROM json_each(?))",
                arguments: [keyList])
            {
                keys[row[0]] = .posted(fingerprint: row[1], result: try Self.decode(PostingResult.self, row[2]))
            }
            var items: [String: ItemID] = [:]
            for row in try Row.cachedAll(
                db, sql: "SELECT sku, id FROM item WHERE sku IN (SELECT value FROM json_each(?))",
                arguments: [try Self.json(query.skus.sorted())])
            {
                items[row[0]] = ItemID(row[1])
            }
            var orders: [String: Set<ItemID>] = [:]
            if !query.orders.isEmpty {
                for order in query.orders { orders[order] = [] }
                for row in try Row.cachedAll(
                    db,
                    sql: """
                        SELECT DISTINCT reference, item_id FROM move
                        WHERE reference IN (SELECT value FROM json_each(?)) AND state IN ('confirmed', 'assigned')
                        """, arguments: [try Self.json(query.orders.sorted())])
                {
                    orders[row[0], default: []].insert(ItemID(row[1]))
                }
            }
            let postings = try Self.loadPostings(query.postingKeys, db: db)
            let uses = try Self.loadUses(of: postings.values.flatMap(\.layers), db: db)
            var lots: [ItemID: [Lot]] = [:]
            if !query.lots.isEmpty, !items.isEmpty {
                for row in try Row.cachedAll(
                    db,
                    sql: """
                        SELECT id, item_id, name, expiry FROM lot WHERE item_id IN (SELECT value FROM json_each(?))
                            AND name IN (SELECT value FROM json_each(?))
                        """,
                    arguments: [
                        try Self.json(items.values.map(\.rawValue).sorted()), try Self.json(query.lots.sorted()),
                    ])
                {
                    let item = ItemID(row[1])
                    lots[item, default: []].append(
                        Lot(
                            id: LotID(row[0]), itemID: item, name: row[2],
                            expiry: (row[3] as Double?).map { Date(timeIntervalSince1970: $0) }))
                }
            }
            func next(_ table: String) throws -> Int64 {
                (try Int64.cachedOne(db, sql: "SELECT max(id) FROM \(table)") ?? 0) + 1
            }
            let catalog = try self.catalog(db)
            var wanted = Set(items.values).union(orders.values.joined()).union(postings.values.compactMap(\.itemID))
            wanted.subtract(query.cached)
            let books = try Self.loadBooks(wanted, catalog: catalog, db: db)
            let ids = IDSource.sequential(
                posting: try next("posting"),
                rows: IDAllocator(
                    nextMove: try next("move"), nextLayer: try next("valuation_layer"), nextLot: try next("lot")))
            return PostingPreparation(
                catalog: catalog, keys: keys, items: items, orders: orders, postings: postings, uses: uses,
                lots: lots, books: books, ids: ids)
        }
    }

    static func loadUses(of layers: [ValuationLayer], db: Database) throws -> [LayerID: [LayerUse]] {
        var uses: [LayerID: [LayerUse]] = [:]
        for layer in layers {
            uses[layer.id] = try Row.cachedAll(
                db, sql: "SELECT rowid AS id, * FROM layer_use WHERE origin_id = ? ORDER BY rowid",
                arguments: [layer.id.rawValue]
            ).map { row in
                LayerUse(
                    postingID: row["posting_id"], layerID: LayerID(row["layer_id"]), originID: layer.id,
                    quantity: Fixed(micros: row["quantity"]), value: Fixed(micros: row["value"]),
                    leftStock: row["left_stock"],
                    account: try Self.account(row["account"], table: "layer_use", id: row["id"]))
            }
        }
        return uses
    }

    public func loadBooks(_ ids: Set<ItemID>, catalog: Catalog) async throws -> [ItemID: LoadedBook] {
        try await pool.read { db in try Self.loadBooks(ids, catalog: catalog, db: db) }
    }

    static func loadBooks(_ ids: Set<ItemID>, catalog: Catalog, db: Database) throws -> [ItemID: LoadedBook] {
        var loaded: [ItemID: LoadedBook] = [:]
        for id in ids.sorted() {
            guard let book = try loadBook(id, lotNames: [], catalog: catalog, db: db),
                let version = try Int64.cachedOne(
                    db, sql: "SELECT book_version FROM item WHERE id = ?", arguments: [id.rawValue])
            else { continue }
            var moves: [MoveID: Move] = [:]
            for move in try fetchMoves(
                db, "item_id = ? AND state IN ('draft', 'confirmed', 'assigned')", [id.rawValue])
            {
                moves[move.id] = move
            }
            var reservations: [MoveID: [Reservation]] = [:]
            if !moves.isEmpty {
                for row in try Row.cachedAll(
                    db,
                    sql: """
                        SELECT r.move_id, r.location_id, r.lot_id, r.quantity FROM reservation r
                        JOIN move m ON m.id = r.move_id WHERE m.item_id = ? AND m.state = 'assigned'
                        ORDER BY r.move_id, r.location_id, r.lot_id
                        """, arguments: [id.rawValue])
                {
                    let moveID = MoveID(row[0])
                    let lot: Int64 = row[2]
                    reservations[moveID, default: []].append(
                        Reservation(
                            moveID: moveID,
                            key: QuantKey(locationID: LocationID(row[1]), lotID: lot == 0 ? nil : LotID(lot)),
                            quantity: Fixed(micros: row[3])))
                }
            }
            loaded[id] = LoadedBook(book: book, moves: moves, reservations: reservations, version: version)
        }
        return loaded
    }

    public func bookVersions(skus: Set<String>) async throws -> BookVersions {
        try await pool.read { db in
            let catalog = try self.catalog(db)
            var versions: [String: BookVersion] = [:]
            for row in try Row.cachedAll(
                db, sql: "SELECT sku, id, book_version FROM item WHERE sku IN (SELECT value FROM json_each(?))",
                arguments: [try Self.json(skus.sorted())])
            {
                versions[row[0]] = BookVersion(item: ItemID(row[1]), version: row[2])
            }
            return BookVersions(catalog: catalog, items: versions)
        }
    }

    public func rowIDs(atLeast count: Int64) async throws -> IDAllocator {
        throw StoreError.unsupported("SQLite hands out row ids in sequence, not in blocks")
    }

    public func write(_ batch: PlannedBatch) async throws {
        guard !batch.isEmpty else { return }
        do {
            try await pool.write { db in try Self.write(batch, db: db) }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            // Another process committed a posting under one of the batch's keys (or took its ids) since it was
            // prepared: the batch is prepared and planned again.
            throw PostingConflict(items: [], reason: error.message ?? "a unique key was taken")
        }
    }

    static func write(_ batch: PlannedBatch, db: Database) throws {
        var stale = Set<ItemID>()
        for (item, version) in batch.versions.sorted(by: { $0.key < $1.key }) {
            try db.executeCached(
                sql: "UPDATE item SET book_version = book_version + 1 WHERE id = ? AND book_version = ?",
                arguments: [item.rawValue, version])
            if db.changesCount == 0 { stale.insert(item) }
        }
        for (item, version) in batch.checked where batch.versions[item] == nil {
            let now = try Int64.cachedOne(
                db, sql: "SELECT book_version FROM item WHERE id = ?", arguments: [item.rawValue])
            if now != version { stale.insert(item) }
        }
        guard stale.isEmpty else {
            throw PostingConflict(items: stale, reason: "items \(stale.map(\.rawValue).sorted()) changed")
        }
        for (order, planned) in batch.orders.sorted(by: { $0.key < $1.key }) {
            let now = Set(
                try Int64.cachedAll(
                    db,
                    sql: "SELECT DISTINCT item_id FROM move WHERE reference = ? AND state IN ('confirmed', 'assigned')",
                    arguments: [order]
                ).map(ItemID.init))
            guard now == planned else {
                throw PostingConflict(items: now.symmetricDifference(planned), reason: "order \(order) changed")
            }
        }
        guard !batch.postings.isEmpty else { return }
        var rows = RowWriter(db: db)
        try rows.insert(
            "INSERT INTO posting (id, key, kind, fingerprint, result, item_id, company_id, actor, source, reason, "
                + "reference, created_at, token, request_id)",
            batch.postings.map { posting in
                let request = posting.request
                return [
                    dv(posting.id), dv(request.key), dv(request.operation.kind.rawValue), dv(posting.fingerprint),
                    dv(posting.result),
                    dv(posting.itemID), dv(posting.companyID), dv(request.actor), dv(request.source),
                    dv(request.reason),
                    dv(request.reference), dv(request.now.timeIntervalSince1970), dv(request.token),
                    dv(request.requestID),
                ]
            })
        try rows.insert(
            "INSERT INTO lot (id, item_id, name, expiry)",
            batch.lots.map {
                [dv($0.id.rawValue), dv($0.itemID.rawValue), dv($0.name), dv($0.expiry?.timeIntervalSince1970)]
            })
        let quants = batch.quantChanges
        try rows.insert(
            "INSERT INTO quant (item_id, location_id, lot_id, quantity, reserved, in_sequence)",
            quants.map { ref, change in
                [
                    dv(ref.itemID.rawValue), dv(ref.key.locationID.rawValue), dv(ref.key.lotID?.rawValue ?? 0),
                    dv(change.quantity.micros), dv(change.reserved.micros), dv(change.inSequence),
                ]
            },
            tail: """
                ON CONFLICT (item_id, location_id, lot_id) DO UPDATE SET quantity = quantity + excluded.quantity,
                    reserved = reserved + excluded.reserved, in_sequence = excluded.in_sequence
                """)
        if !quants.isEmpty {
            try db.executeCached(
                sql: """
                    DELETE FROM quant WHERE item_id IN (SELECT value FROM json_each(?)) AND quantity = 0 AND reserved = 0
                    """, arguments: [try json(Set(quants.map(\.0.itemID.rawValue)).sorted())])
        }
        try rows.insert(
            "INSERT INTO move (id, posting_id, item_id, quantity, from_id, to_id, lot_id, state, kind, planned_at, "
                + "done_at, reference, origin_id)",
            batch.movesToInsert.map { move in
                [
                    dv(move.id.rawValue), dv(move.postingID), dv(move.itemID.rawValue), dv(move.quantity.micros),
                    dv(move.fromID.rawValue), dv(move.toID.rawValue), dv(move.lotID?.rawValue), dv(move.state.rawValue),
                    dv(move.kind.rawValue), dv(move.plannedAt.timeIntervalSince1970),
                    dv(move.doneAt?.timeIntervalSince1970),
                    dv(move.reference), dv(move.originID?.rawValue),
                ]
            })
        for move in batch.movesToUpdate {
            try db.executeCached(
                sql: "UPDATE move SET state = ?, quantity = ?, done_at = ? WHERE id = ?",
                arguments: [
                    move.state.rawValue, move.quantity.micros, move.doneAt?.timeIntervalSince1970, move.id.rawValue,
                ])
        }
        let reservations = batch.reservationChanges
        if !reservations.isEmpty {
            try db.executeCached(
                sql: "DELETE FROM reservation WHERE move_id IN (SELECT value FROM json_each(?))",
                arguments: [try json(reservations.map(\.0.rawValue))])
            try rows.insert(
                "INSERT INTO reservation (move_id, location_id, lot_id, quantity)",
                reservations.flatMap { id, lines in
                    lines.map {
                        [
                            dv(id.rawValue), dv($0.key.locationID.rawValue), dv($0.key.lotID?.rawValue ?? 0),
                            dv($0.quantity.micros),
                        ]
                    }
                })
        }
        try rows.insert(
            "INSERT INTO valuation_layer (id, company_id, item_id, scope, scope_warehouse_id, posting_id, move_id, "
                + "kind, quantity, value, unit_cost, remaining_quantity, remaining_value, short_quantity, short_value, "
                + "origin_id, shipment_id, account)",
            batch.layersToInsert.map { layer in
                let (scope, warehouse) = columns(layer.scope)
                return [
                    dv(layer.id.rawValue), dv(layer.companyID.rawValue), dv(layer.itemID.rawValue), dv(scope),
                    dv(warehouse),
                    dv(layer.postingID), dv(layer.moveID?.rawValue), dv(layer.kind.rawValue), dv(layer.quantity.micros),
                    dv(layer.value.micros), dv(layer.unitCost.micros), dv(layer.remainingQuantity.micros),
                    dv(layer.remainingValue.micros), dv(layer.shortQuantity.micros), dv(layer.shortValue.micros),
                    dv(layer.originID?.rawValue), dv(layer.shipmentID), dv(layer.account?.rawValue),
                ]
            })
        for layer in batch.layersToUpdate {
            try db.executeCached(
                sql: """
                    UPDATE valuation_layer SET remaining_quantity = ?, remaining_value = ?, short_quantity = ?,
                        short_value = ?, value = ? WHERE id = ?
                    """,
                arguments: [
                    layer.remainingQuantity.micros, layer.remainingValue.micros, layer.shortQuantity.micros,
                    layer.shortValue.micros, layer.value.micros, layer.id.rawValue,
                ])
        }
        try rows.insert(
            "INSERT INTO layer_use (posting_id, layer_id, origin_id, quantity, value, left_stock, account)",
            batch.layerUses.map { use in
                [
                    dv(use.postingID), dv(use.layerID.rawValue), dv(use.originID?.rawValue), dv(use.quantity.micros),
                    dv(use.value.micros), dv(use.leftStock), dv(use.account?.rawValue),
                ]
            })
        try rows.insert(
            "INSERT INTO journal_line (posting_id, line, company_id, item_id, warehouse_id, role, amount, at)",
            batch.journal.map { row in
                [
                    dv(row.postingID), dv(row.line), dv(row.journalLine.companyID.rawValue),
                    dv(row.journalLine.itemID.rawValue),
                    dv(row.journalLine.warehouseID?.rawValue), dv(row.journalLine.role.rawValue),
                    dv(row.journalLine.amount.micros), dv(row.at.timeIntervalSince1970),
                ]
            })
        try rows.insert(
            "INSERT INTO cost (item_id, company_id, scope, scope_warehouse_id, quantity, value, unit_cost)",
            batch.costRows.map { row in
                let (name, warehouse) = columns(row.scope)
                return [
                    dv(row.itemID.rawValue), dv(row.companyID.rawValue), dv(name), dv(warehouse),
                    dv(row.totals.quantity.micros),
                    dv(row.totals.value.micros), dv(row.totals.unitCost?.micros),
                ]
            },
            tail: """
                ON CONFLICT (item_id, company_id, scope, scope_warehouse_id)
                DO UPDATE SET quantity = excluded.quantity, value = excluded.value, unit_cost = excluded.unit_cost
                """)
        for item in batch.changedItems {
            try db.executeCached(
                sql: "UPDATE item SET data = ?, lifecycle = ? WHERE id = ?",
                arguments: [try json(item), item.lifecycle.rawValue, item.id.rawValue])
        }
        try rows.insert(
            "INSERT INTO event (type, subject, payload, at)",
            batch.events.map {
                [dv($0.type), dv($0.subject), dv(CompactJSON.object($0.payload)), dv($0.at.timeIntervalSince1970)]
            })
    }
}

/// Writes rows with multi-row `INSERT` statements of up to 64 rows each, every shape compiled once per connection.
struct RowWriter {
    let db: Database
    private static let rowsPerStatement = 64

    mutating func insert(_ head: String, _ rows: [[DatabaseValue]], tail: String = "") throws {
        guard let width = rows.first?.count else { return }
        let tuple = "(" + Array(repeating: "?", count: width).joined(separator: ", ") + ")"
        var start = 0
        while start < rows.count {
            let end = min(start + Self.rowsPerStatement, rows.count)
            let sql =
                head + " VALUES " + Array(repeating: tuple, count: end - start).joined(separator: ", ")
                + (tail.isEmpty ? "" : " " + tail)
            var values: [DatabaseValue] = []
            values.reserveCapacity((end - start) * width)
            for row in rows[start..<end] { values += row }
            try db.cachedStatement(sql: sql).execute(arguments: StatementArguments(values))
            start = end
        }
    }
}

/// A column value, converted where its type is known (no existential per value).
@inline(__always)
private func dv(_ value: some DatabaseValueConvertible) -> DatabaseValue { value.databaseValue }
