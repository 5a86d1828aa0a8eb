import Foundation
import GRDB
import GRDBSQLite
public import StocklineCore
import Synchronization

extension SQLiteLedgerStore {
    public func prepare(_ query: PostingQuery) async throws -> PostingPreparation {
        try await pool.read { db in try self.prepare(query, db: db) }
    }

    func prepare(_ query: PostingQuery, db: Database) throws -> PostingPreparation {
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
        let documents = try Self.loadOrders(ids: query.orders, db: db)
        let demand = query.openDemand ? try Self.itemsWithOpenSales(db: db) : []
        var wanted = Set(items.values).union(orders.values.joined()).union(postings.values.compactMap(\.itemID))
        wanted.formUnion(documents.values.flatMap(\.itemIDs))
        wanted.formUnion(demand)
        wanted.subtract(query.cached)
        let books = try Self.loadBooks(wanted, catalog: catalog, db: db)
        let ids = IDSource.sequential(
            posting: try next("posting"),
            rows: IDAllocator(
                nextMove: try next("move"), nextLayer: try next("valuation_layer"), nextLot: try next("lot")))
        var preparation = PostingPreparation(
            catalog: catalog, keys: keys, items: items, orders: orders, postings: postings, uses: uses,
            lots: lots, books: books, ids: ids)
        preparation.documents = documents
        preparation.demandItems = demand
        return preparation
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
        guard !ids.isEmpty else { return [:] }
        return try await pool.read { db in try Self.loadBooks(ids, catalog: catalog, db: db) }
    }

    static func loadBooks(_ ids: Set<ItemID>, catalog: Catalog, db: Database) throws -> [ItemID: LoadedBook] {
        var loaded: [ItemID: LoadedBook] = [:]
        for id in ids.sorted() {
            guard let book = try loadBook(id, lotNames: [], catalog: catalog, db: db),
                let version = try Int64.cachedOne(
                    db, sql: "SELECT version FROM item_book WHERE item_id = ?", arguments: [id.rawValue])
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
        for (id, orders) in try openOrders(of: loaded.keys.map(\.rawValue).sorted(), db: db) {
            loaded[id]?.orders = orders
        }
        return loaded
    }

    public func bookVersions(skus: Set<String>) async throws -> BookVersions {
        try await pool.read { db in
            let catalog = try self.catalog(db)
            var versions: [String: BookVersion] = [:]
            for row in try Row.cachedAll(
                db,
                sql:
                    "SELECT sku, id, version FROM item JOIN item_book ON item_id = id WHERE sku IN (SELECT value FROM json_each(?))",
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
        try await Self.conflicts { try await pool.write { db in try Self.write(batch, db: db) } }
    }

    /// Batches are written as they come, in one transaction on the writer's connection: no other writer can
    /// commit between the session's first write and its commit, so each book and order is checked once, by the
    /// first batch that uses it.
    public func beginWrite(after: (any WriteSession)?) async throws -> any WriteSession {
        SQLiteWriteSession(store: self, after: after as? SQLiteWriteSession)
    }

    /// Maps a unique key taken meanwhile to a conflict: another process committed a posting under one of the
    /// batch's keys (or took its ids) since it was prepared, so the batch is prepared and planned again.
    static func conflicts(_ work: () async throws -> Void) async throws {
        do {
            try await work()
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw PostingConflict(items: [], reason: error.message ?? "a unique key was taken")
        }
    }

    static func write(_ batch: PlannedBatch, db: Database) throws {
        var stale = Set<ItemID>()
        if !batch.versions.isEmpty {
            // One statement for every book: bumped where it is still at the version planned on.
            let planned = batch.versions.sorted { $0.key < $1.key }
            try db.executeCached(
                sql: """
                    UPDATE item_book SET version = version + 1 FROM json_each(?) AS planned
                    WHERE item_id = json_extract(planned.value, '$[0]') AND version = json_extract(planned.value, '$[1]')
                    """,
                arguments: ["[" + planned.map { "[\($0.key.rawValue),\($0.value)]" }.joined(separator: ",") + "]"])
            // Which one moved is not told apart: every book of the batch is read again.
            if db.changesCount != planned.count { stale.formUnion(batch.versions.keys) }
        }
        for (item, version) in batch.checked where batch.versions[item] == nil {
            let now = try Int64.cachedOne(
                db, sql: "SELECT version FROM item_book WHERE item_id = ?", arguments: [item.rawValue])
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
                + "reference, created_at, token, request_id)", batch.postings
        ) { posting, row in
            let request = posting.request
            row.add(posting.id)
            row.add(request.key)
            row.add(request.operation.kind.rawValue)
            row.add(posting.fingerprint)
            row.add(posting.result)
            row.add(posting.itemID)
            row.add(posting.companyID)
            row.add(request.actor)
            row.add(request.source)
            row.add(request.reason)
            row.add(request.reference)
            row.add(request.now.timeIntervalSince1970)
            row.add(request.token)
            row.add(request.requestID)
        }
        try rows.insert("INSERT INTO lot (id, item_id, name, expiry)", batch.lots) { lot, row in
            row.add(lot.id.rawValue)
            row.add(lot.itemID.rawValue)
            row.add(lot.name)
            row.add(lot.expiry?.timeIntervalSince1970)
        }
        let quants = batch.quantChanges
        try rows.insert(
            "INSERT INTO quant (item_id, location_id, lot_id, quantity, reserved, in_sequence)", quants,
            tail: """
                ON CONFLICT (item_id, location_id, lot_id) DO UPDATE SET quantity = quantity + excluded.quantity,
                    reserved = reserved + excluded.reserved, in_sequence = excluded.in_sequence
                """
        ) { quant, row in
            let (ref, change) = quant
            row.add(ref.itemID.rawValue)
            row.add(ref.key.locationID.rawValue)
            row.add(ref.key.lotID?.rawValue ?? 0)
            row.add(change.quantity.micros)
            row.add(change.reserved.micros)
            row.add(change.inSequence)
        }
        if !quants.isEmpty {
            try db.executeCached(
                sql: """
                    DELETE FROM quant WHERE item_id IN (SELECT value FROM json_each(?)) AND quantity = 0 AND reserved = 0
                    """, arguments: [try json(Set(quants.map(\.0.itemID.rawValue)).sorted())])
        }
        try rows.insert(
            "INSERT INTO move (id, posting_id, item_id, quantity, from_id, to_id, lot_id, state, kind, planned_at, "
                + "done_at, reference, origin_id)", batch.movesToInsert
        ) { move, row in
            row.add(move.id.rawValue)
            row.add(move.postingID)
            row.add(move.itemID.rawValue)
            row.add(move.quantity.micros)
            row.add(move.fromID.rawValue)
            row.add(move.toID.rawValue)
            row.add(move.lotID?.rawValue)
            row.add(move.state.rawValue)
            row.add(move.kind.rawValue)
            row.add(move.plannedAt.timeIntervalSince1970)
            row.add(move.doneAt?.timeIntervalSince1970)
            row.add(move.reference)
            row.add(move.originID?.rawValue)
        }
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
                reservations.flatMap { id, lines in lines.map { (id, $0) } }
            ) { reservation, row in
                let (id, line) = reservation
                row.add(id.rawValue)
                row.add(line.key.locationID.rawValue)
                row.add(line.key.lotID?.rawValue ?? 0)
                row.add(line.quantity.micros)
            }
        }
        try rows.insert(
            "INSERT INTO valuation_layer (id, company_id, item_id, scope, scope_warehouse_id, posting_id, move_id, "
                + "kind, quantity, value, unit_cost, remaining_quantity, remaining_value, short_quantity, short_value, "
                + "origin_id, shipment_id, account)", batch.layersToInsert
        ) { layer, row in
            let (scope, warehouse) = columns(layer.scope)
            row.add(layer.id.rawValue)
            row.add(layer.companyID.rawValue)
            row.add(layer.itemID.rawValue)
            row.add(scope)
            row.add(warehouse)
            row.add(layer.postingID)
            row.add(layer.moveID?.rawValue)
            row.add(layer.kind.rawValue)
            row.add(layer.quantity.micros)
            row.add(layer.value.micros)
            row.add(layer.unitCost.micros)
            row.add(layer.remainingQuantity.micros)
            row.add(layer.remainingValue.micros)
            row.add(layer.shortQuantity.micros)
            row.add(layer.shortValue.micros)
            row.add(layer.originID?.rawValue)
            row.add(layer.shipmentID)
            row.add(layer.account?.rawValue)
        }
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
            batch.layerUses
        ) { use, row in
            row.add(use.postingID)
            row.add(use.layerID.rawValue)
            row.add(use.originID?.rawValue)
            row.add(use.quantity.micros)
            row.add(use.value.micros)
            row.add(use.leftStock)
            row.add(use.account?.rawValue)
        }
        try rows.insert(
            "INSERT INTO journal_line (posting_id, line, company_id, item_id, warehouse_id, role, amount, at)",
            batch.journal
        ) { journal, row in
            row.add(journal.postingID)
            row.add(journal.line)
            row.add(journal.journalLine.companyID.rawValue)
            row.add(journal.journalLine.itemID.rawValue)
            row.add(journal.journalLine.warehouseID?.rawValue)
            row.add(journal.journalLine.role.rawValue)
            row.add(journal.journalLine.amount.micros)
            row.add(journal.at.timeIntervalSince1970)
        }
        try rows.insert(
            "INSERT INTO cost (item_id, company_id, scope, scope_warehouse_id, quantity, value, unit_cost)",
            batch.costRows,
            tail: """
                ON CONFLICT (item_id, company_id, scope, scope_warehouse_id)
                DO UPDATE SET quantity = excluded.quantity, value = excluded.value, unit_cost = excluded.unit_cost
                """
        ) { cost, row in
            let (name, warehouse) = columns(cost.scope)
            row.add(cost.itemID.rawValue)
            row.add(cost.companyID.rawValue)
            row.add(name)
            row.add(warehouse)
            row.add(cost.totals.quantity.micros)
            row.add(cost.totals.value.micros)
            row.add(cost.totals.unitCost?.micros)
        }
        try writeOrders(batch.changedOrders, db: db)
        for item in batch.changedItems {
            try db.executeCached(
                sql: "UPDATE item SET data = ?, lifecycle = ? WHERE id = ?",
                arguments: [try json(item), item.lifecycle.rawValue, item.id.rawValue])
        }
        try rows.insert("INSERT INTO event (type, subject, payload, at)", batch.events) { event, row in
            row.add(event.type)
            row.add(event.subject)
            row.add(event.payload)
            row.add(event.at.timeIntervalSince1970)
        }
    }
}

/// Writes rows with multi-row `INSERT` statements of up to 64 rows each, every shape compiled once per connection,
/// each value bound straight into the statement: GRDB's argument arrays cost more than the insert itself here.
struct RowWriter {
    let db: Database
    private static let rowsPerStatement = 64
    private static let texts = Mutex<[String: String]>([:])

    /// The statement text for `rows` rows, made once per shape.
    private static func text(_ head: String, width: Int, rows: Int, tail: String) -> String {
        let shape = "\(rows) \(head) \(tail)"
        if let text = texts.withLock({ $0[shape] }) { return text }
        let tuple = "(" + Array(repeating: "?", count: width).joined(separator: ", ") + ")"
        let text =
            head + " VALUES " + Array(repeating: tuple, count: rows).joined(separator: ", ")
            + (tail.isEmpty ? "" : " " + tail)
        texts.withLock { $0[shape] = text }
        return text
    }

    /// Inserts `rows`, `bind` giving each row's values in the order of the columns `head` names.
    mutating func insert<Row>(
        _ head: String, _ rows: some Collection<Row>, tail: String = "", _ bind: (Row, inout RowValues) -> Void
    ) throws {
        guard !rows.isEmpty else { return }
        let width = head.split(separator: "(", maxSplits: 1).last.map { $0.count { $0 == "," } + 1 } ?? 1
        var start = rows.startIndex
        while start < rows.endIndex {
            let end = rows.index(start, offsetBy: Self.rowsPerStatement, limitedBy: rows.endIndex) ?? rows.endIndex
            let sql = Self.text(head, width: width, rows: rows.distance(from: start, to: end), tail: tail)
            let statement = try db.cachedStatement(sql: sql)
            let handle = statement.sqliteStatement
            sqlite3_reset(handle)
            var values = RowValues(statement: handle)
            for row in rows[start..<end] { bind(row, &values) }
            let count = rows.distance(from: start, to: end)
            precondition(values.index == CInt(width * count) + 1, "\(head): a row of another width")
            let code = sqlite3_step(handle)
            sqlite3_reset(handle)
            guard code == SQLITE_DONE else {
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: code),
                    message: db.sqliteConnection.map { String(cString: sqlite3_errmsg($0)) }, sql: sql)
            }
            start = end
        }
    }
}

/// The values of the rows of one statement, bound in column order.
struct RowValues {
    fileprivate let statement: SQLiteStatement
    fileprivate var index: CInt = 1
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    fileprivate init(statement: SQLiteStatement) { self.statement = statement }

    mutating func add(_ value: Int64?) {
        if let value { sqlite3_bind_int64(statement, index, value) } else { sqlite3_bind_null(statement, index) }
        index += 1
    }

    mutating func add(_ value: Int) { add(Int64(value)) }

    mutating func add(_ value: Bool) { add(value ? 1 : 0) }

    mutating func add(_ value: Double?) {
        if let value { sqlite3_bind_double(statement, index, value) } else { sqlite3_bind_null(statement, index) }
        index += 1
    }

    mutating func add(_ value: String?) {
        if var value {
            value.withUTF8 { text in
                if let start = text.baseAddress, !text.isEmpty {
                    let bytes = UnsafeRawPointer(start).assumingMemoryBound(to: CChar.self)
                    sqlite3_bind_text(statement, index, bytes, CInt(text.count), Self.transient)
                } else {
                    sqlite3_bind_text(statement, index, "", 0, Self.transient)
                }
            }
        } else {
            sqlite3_bind_null(statement, index)
        }
        index += 1
    }
}

/// A write transaction held open on the writer's connection while the service plans what goes into it. The
/// writer's thread waits for the next batch between writes (it is a thread of the database's own queue, not one of
/// the concurrency pool's).
final class SQLiteWriteSession: WriteSession {
    private enum Step: Sendable {
        case prepare(PostingQuery, CheckedContinuation<PostingPreparation, any Error>)
        case write(PlannedBatch)
        case commit
        case cancel
    }

    /// Steps handed from the service to the writer's thread.
    private final class Steps: Sendable {
        private let queue = Mutex<[Step]>([])
        private let ready = DispatchSemaphore(value: 0)

        func send(_ step: Step) {
            queue.withLock { $0.append(step) }
            ready.signal()
        }

        /// Waits for the next step.
        func next() -> Step {
            ready.wait()
            return queue.withLock { $0.removeFirst() }
        }
    }

    private let steps: Steps
    private let transaction: Task<Void, any Error>
    /// Set on the writer's thread once the transaction has committed.
    private final class Flag: Sendable {
        private let value = Mutex(false)
        var isSet: Bool { value.withLock { $0 } }
        func set() { value.withLock { $0 = true } }
    }

    private let committed = Flag()

    init(store: SQLiteLedgerStore, after previous: SQLiteWriteSession?) {
        let steps = Steps()
        self.steps = steps
        let committed = committed
        transaction = Task {
            try await SQLiteLedgerStore.conflicts {
                try await store.pool.writeWithoutTransaction { db in
                    // The writer's queue runs the session planned before this one first: it has ended by now.
                    if let previous, !previous.committed.isSet {
                        throw PostingConflict(items: [], reason: "the batch it was planned after did not commit")
                    }
                    try db.inTransaction(.immediate) {
                        try Self.run(steps, store: store, db: db)
                        return .commit
                    }
                    committed.set()
                }
            }
        }
    }

    /// Runs the session's steps until it is committed or cancelled.
    private static func run(_ steps: Steps, store: SQLiteLedgerStore, db: Database) throws {
        while true {
            switch steps.next() {
            case .prepare(let query, let answer):
                answer.resume(with: Result { try store.prepare(query, db: db) })
            case .write(let batch): if !batch.isEmpty { try SQLiteLedgerStore.write(batch, db: db) }
            case .commit: return
            case .cancel: throw CancellationError()
            }
        }
    }

    /// Reads in the session's own transaction, on the connection that has just written what it reads.
    func prepare(_ query: PostingQuery) async throws -> PostingPreparation {
        try await withCheckedThrowingContinuation { steps.send(.prepare(query, $0)) }
    }

    func write(_ batch: PlannedBatch) { steps.send(.write(batch)) }

    func commit() async throws {
        steps.send(.commit)
        try await transaction.value
    }

    func cancel() async {
        steps.send(.cancel)
        _ = try? await transaction.value
    }
}
