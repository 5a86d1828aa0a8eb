import Foundation
import GRDB
import PostgresNIO

/// Copies a whole ledger from one store into another, empty one: SQLite to PostgreSQL, PostgreSQL to SQLite, or
/// between two of a kind.
///
/// Every table is copied row for row with the same ids (moves, postings, locations, events, tokens, webhook
/// subscriptions…), so the target answers every question exactly as the source did and `verify` holds on it as on
/// the source. The source is read in one transaction (a consistent snapshot even while it is being written to); the
/// target is written in one transaction, so a failed copy leaves it as empty as it was. On PostgreSQL the id
/// sequences and counters are moved past the copied rows, so new postings continue after them.
///
/// The whole ledger passes through memory once; for ledgers beyond a few million moves, copy at a quiet moment on a
/// machine with room for it.
public enum StoreCopy {
    /// How many rows of each table were copied, in copy order.
    public struct Summary: Sendable, Equatable {
        /// Table name and number of rows.
        public var tables: [TableCount]

        /// The rows copied over all tables.
        public var totalRows: Int { tables.reduce(0) { $0 + $1.rows } }
    }

    /// The rows copied of one table.
    public struct TableCount: Sendable, Equatable {
        public var table: String
        public var rows: Int
    }

    /// Copies every row of `source` into `target`, which must be migrated and empty (as `migrate()` leaves a new
    /// database: nothing but the built-in virtual locations).
    ///
    /// - Throws: ``StoreCopyError/targetNotEmpty(table:)`` when the target already holds ledger data,
    ///   ``StoreCopyError/unsupportedStore(_:)`` for a store that is neither SQLite nor PostgreSQL, or the
    ///   database's error (the target is then left unchanged).
    @discardableResult
    public static func copy(from source: any LedgerStore, to target: any LedgerStore) async throws -> Summary {
        let data = try await read(source)
        try await write(data, to: target)
        return Summary(tables: zip(tables, data).map { TableCount(table: $0.name, rows: $1.count) })
    }

    /// Writes a backup of `store` to a new SQLite file at `path`, which must not exist yet.
    ///
    /// A SQLite ledger is copied page by page with SQLite's online backup (writers may go on meanwhile; the backup is
    /// the database as of one moment); a PostgreSQL ledger is copied with ``copy(from:to:)`` into a new SQLite
    /// ledger. Either way the file is a ledger that any door opens, and that ``copy(from:to:)`` restores.
    ///
    /// - Throws: ``StoreCopyError/backupExists(_:)`` when `path` exists.
    public static func backup(_ store: any LedgerStore, to path: String) async throws {
        guard !FileManager.default.fileExists(atPath: path) else { throw StoreCopyError.backupExists(path) }
        switch store {
        case let sqlite as SQLiteLedgerStore:
            try sqlite.backup(to: path)
        default:
            let file = try SQLiteLedgerStore(path: path)
            try await file.migrate()
            try await copy(from: store, to: file)
        }
    }

    // MARK: - Tables

    /// A cell, as both stores can read and write it.
    enum Value: Sendable {
        case null
        case integer(Int64)
        case real(Double)
        case text(String)
        case boolean(Bool)
    }

    /// The SQL type of a column, which tells how to read and write its values on each side.
    enum ColumnType: Sendable {
        /// INTEGER / BIGINT.
        case integer
        /// REAL / DOUBLE PRECISION.
        case real
        case text
        /// INTEGER 0/1 in SQLite, BOOLEAN in PostgreSQL.
        case boolean

        var postgresCast: String {
            switch self {
            case .integer: "bigint"
            case .real: "float8"
            case .text: "text"
            case .boolean: "boolean"
            }
        }
    }

    /// One table: its columns in both schemas (see `SQLiteSchema` and `PostgresSchema`) and the order to copy in.
    struct Table: Sendable {
        var name: String
        var columns: [(name: String, type: ColumnType)]
        var order: String

        /// SQLite's `layer_use` has no `id` column: its implicit rowid plays that part.
        var sqliteColumns: [String] {
            columns.map { name == "layer_use" && $0.name == "id" ? "rowid" : $0.name }
        }
    }

    /// Every table of the ledger, parents before the rows that refer to them.
    static let tables: [Table] = {
        func table(_ name: String, order: String = "id", _ columns: String) -> Table {
            let parsed = columns.split(separator: " ").map { spec -> (name: String, type: ColumnType) in
                let parts = spec.split(separator: ":")
                let type: ColumnType =
                    switch parts.count > 1 ? String(parts[1]) : "i" {
                    case "r": .real
                    case "t": .text
                    case "b": .boolean
                    default: .integer
                    }
                return (String(parts[0]), type)
            }
            return Table(name: name, columns: parsed, order: order)
        }
        return [
            table("company", "id code:t currency:t costing:t"),
            table("location", "id path:t usage:t parent_id warehouse_id"),
            table(
                "warehouse",
                "id code:t company_id kind:t allow_negative:b root_location_id stock_location_id qc_location_id "
                    + "transit_location_id"),
            table("item", "id sku:t lifecycle:t data:t"),
            table("item_book", order: "item_id", "item_id version"),
            table("lot", "id item_id name:t expiry:r"),
            table(
                "posting",
                "id key:t kind:t fingerprint:t result:t item_id company_id actor:t source:t reason:t reference:t "
                    + "created_at:r token:t request_id:t"),
            table(
                "move",
                "id posting_id item_id quantity from_id to_id lot_id state:t kind:t planned_at:r done_at:r "
                    + "reference:t origin_id"),
            table(
                "quant", order: "item_id, location_id, lot_id",
                "item_id location_id lot_id quantity reserved in_sequence"),
            table("reservation", order: "move_id, location_id, lot_id", "move_id location_id lot_id quantity"),
            table(
                "valuation_layer",
                "id company_id item_id scope:t scope_warehouse_id posting_id move_id kind:t quantity value unit_cost "
                    + "remaining_quantity remaining_value short_quantity short_value origin_id shipment_id account:t"),
            table("layer_use", "id posting_id layer_id origin_id quantity value left_stock:b account:t"),
            table(
                "journal_line", order: "posting_id, line",
                "posting_id line company_id item_id warehouse_id role:t amount at:r"),
            table(
                "account_mapping", order: "company_id, category, role", "company_id category:t role:t account:t"),
            table(
                "cost", order: "item_id, company_id, scope, scope_warehouse_id",
                "item_id company_id scope:t scope_warehouse_id quantity value unit_cost"),
            table("event", order: "sequence", "sequence type:t subject:t payload:t at:r"),
            table("api_token", "id name:t hash:t role:t warehouse:t created_at:r"),
            table(
                "webhook_subscription",
                "id url:t secret:t event_types:t warehouses:t active:b last_sequence created_at:r lease_owner:t "
                    + "lease_until:r"),
            table(
                "webhook_dead_letter",
                "id subscription_id sequence event_type:t body:t attempts last_error:t parked_at:r"),
            table("request_key", order: "key", "key:t fingerprint:t response:t created_at:r"),
            table("partner", order: "role, code", "role:t code:t name:t lead_days"),
            table("order_document", "id:t kind:t status:t warehouse_id partner:t created_at:r body:t"),
            table("order_item", order: "item_id, order_id", "item_id order_id:t kind:t"),
            table("route", order: "from_id, to_id", "from_id to_id lead_days cost"),
            table("web_user", order: "name", "name:t role:t warehouse:t password_hash:t created_at:r"),
            table("web_session", order: "hash", "hash:t user_name:t csrf:t expires_at:r"),
            table("refused_attempt", "id at:r actor:t source:t action:t code:t detail:t"),
        ]
    }()

    /// Tables whose ids PostgreSQL generates from an identity column.
    static let identityTables = [
        "company", "location", "warehouse", "item", "layer_use", "api_token", "webhook_subscription",
        "webhook_dead_letter", "refused_attempt",
    ]

    /// Every row of every table (in ``tables`` order).
    typealias Rows = [[[Value]]]

    static func read(_ store: any LedgerStore) async throws -> Rows {
        switch store {
        case let sqlite as SQLiteLedgerStore: try await sqlite.readAllTables()
        case let postgres as PostgresLedgerStore: try await postgres.readAllTables()
        default: throw StoreCopyError.unsupportedStore(String(describing: type(of: store)))
        }
    }

    static func write(_ rows: Rows, to store: any LedgerStore) async throws {
        switch store {
        case let sqlite as SQLiteLedgerStore: try await sqlite.writeAllTables(rows)
        case let postgres as PostgresLedgerStore: try await postgres.writeAllTables(rows)
        default: throw StoreCopyError.unsupportedStore(String(describing: type(of: store)))
        }
    }
}

/// Why a ledger could not be copied.
public enum StoreCopyError: Error, Sendable, CustomStringConvertible {
    /// The target already holds ledger data in this table; a copy only goes into a new, empty ledger.
    case targetNotEmpty(table: String)
    /// The store is neither SQLite nor PostgreSQL.
    case unsupportedStore(String)
    /// A backup never overwrites a file.
    case backupExists(String)

    public var description: String {
        switch self {
        case .targetNotEmpty(let table):
            "the target ledger is not empty (table \(table) has rows); copy into a new database or schema"
        case .unsupportedStore(let kind): "cannot copy a ledger of a \(kind)"
        case .backupExists(let path): "\(path) exists; a backup goes into a new file"
        }
    }
}

// MARK: - SQLite

extension SQLiteLedgerStore {
    /// SQLite's online backup of the whole database into a new file.
    func backup(to path: String) throws {
        let destination = try DatabaseQueue(path: path)
        try pool.backup(to: destination)
        try destination.close()
    }

    /// Every table as one snapshot.
    func readAllTables() async throws -> StoreCopy.Rows {
        try await pool.read { db in
            try StoreCopy.tables.map { table in
                let columns = zip(table.sqliteColumns, table.columns).map { $0 == $1.name ? $0 : "\($0) AS \($1.name)" }
                let sql = "SELECT \(columns.joined(separator: ", ")) FROM \(table.name) ORDER BY \(table.order)"
                return try Row.fetchAll(db, sql: sql).map { row in
                    table.columns.indices.map { index -> StoreCopy.Value in
                        if row.hasNull(atIndex: index) { return .null }
                        switch table.columns[index].type {
                        case .integer: return .integer(row[index])
                        case .real: return .real(row[index])
                        case .text: return .text(row[index])
                        case .boolean: return .boolean(row[index])
                        }
                    }
                }
            }
        }
    }

    /// Writes every table into this empty ledger in one transaction.
    func writeAllTables(_ rows: StoreCopy.Rows) async throws {
        defer { invalidateCatalog() }
        try await pool.write { db in
            try db.execute(sql: "UPDATE counter SET value = value + 1 WHERE name = 'catalog'")
            for table in StoreCopy.tables where table.name != "location" {
                if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM \(table.name))") == true {
                    throw StoreCopyError.targetNotEmpty(table: table.name)
                }
            }
            let virtual = Set(SQLiteSchema.virtualLocations.map(\.0))
            let paths = try String.fetchAll(db, sql: "SELECT path FROM location")
            guard paths.allSatisfy(virtual.contains) else { throw StoreCopyError.targetNotEmpty(table: "location") }
            // The target's own virtual locations make way for the source's, which carry the source's ids.
            try db.execute(sql: "DELETE FROM location")
            for (table, tableRows) in zip(StoreCopy.tables, rows) where !tableRows.isEmpty {
                let placeholders = Array(repeating: "?", count: table.columns.count).joined(separator: ", ")
                let statement = try db.cachedStatement(
                    sql: "INSERT INTO \(table.name) (\(table.sqliteColumns.joined(separator: ", "))) "
                        + "VALUES (\(placeholders))")
                for row in tableRows {
                    let values: [(any DatabaseValueConvertible)?] = row.map { value in
                        switch value {
                        case .null: nil
                        case .integer(let integer): integer
                        case .real(let real): real
                        case .text(let text): text
                        case .boolean(let boolean): boolean
                        }
                    }
                    try statement.execute(arguments: StatementArguments(values))
                }
            }
        }
    }
}

// MARK: - PostgreSQL

extension PostgresLedgerStore {
    /// Every table as one snapshot (a REPEATABLE READ transaction).
    func readAllTables() async throws -> StoreCopy.Rows {
        try await transaction(.read) { db in
            var all: StoreCopy.Rows = []
            for table in StoreCopy.tables {
                let sql =
                    "SELECT \(table.columns.map(\.name).joined(separator: ", ")) FROM \(table.name) "
                    + "ORDER BY \(table.order)"
                let rows = try await db.rows(PostgresQuery(unsafeSQL: sql))
                all.append(
                    try rows.map { row in
                        try table.columns.indices.map { index -> StoreCopy.Value in
                            let cell = row[index]
                            guard cell.bytes != nil else { return .null }
                            switch table.columns[index].type {
                            case .integer: return .integer(try cell.decode(Int64.self))
                            case .real: return .real(try cell.decode(Double.self))
                            case .text: return .text(try cell.decode(String.self))
                            case .boolean: return .boolean(try cell.decode(Bool.self))
                            }
                        }
                    })
            }
            return all
        }
    }

    /// Writes every table into this empty ledger in one transaction, then moves the identity columns, the
    /// `posting_id` and `row_block` sequences and the `event` counter past the copied rows and bumps `catalog`.
    func writeAllTables(_ rows: StoreCopy.Rows) async throws {
        try await transaction(.write) { db in
            for table in StoreCopy.tables where table.name != "location" {
                let sql = "SELECT EXISTS (SELECT 1 FROM \(table.name))"
                if try await db.value(PostgresQuery(unsafeSQL: sql), as: Bool.self) == true {
                    throw StoreCopyError.targetNotEmpty(table: table.name)
                }
            }
            let virtual = Set(SQLiteSchema.virtualLocations.map(\.0))
            let paths = try await db.values("SELECT path FROM location", as: String.self)
            guard paths.allSatisfy(virtual.contains) else { throw StoreCopyError.targetNotEmpty(table: "location") }
            try await db.execute("DELETE FROM location")
            for (table, tableRows) in zip(StoreCopy.tables, rows) where !tableRows.isEmpty {
                // Many rows per statement, well below the protocol's 65,535 parameters.
                let perStatement = max(1, 20_000 / table.columns.count)
                var start = tableRows.startIndex
                while start < tableRows.endIndex {
                    let chunk = tableRows[start..<min(start + perStatement, tableRows.endIndex)]
                    try await db.execute(Self.insert(into: table, chunk))
                    start = chunk.endIndex
                }
            }
            for table in StoreCopy.identityTables {
                try await db.execute(
                    PostgresQuery(
                        unsafeSQL: """
                            SELECT setval(pg_get_serial_sequence('\(table)', 'id'),
                                coalesce((SELECT max(id) FROM \(table)), 0) + 1, false)
                            """))
            }
            try await db.execute(
                "SELECT setval('posting_id', coalesce((SELECT max(id) FROM posting), 0) + 1, false)")
            try await db.execute(
                """
                SELECT setval('row_block', greatest(
                    coalesce((SELECT max(id) FROM move), 0), coalesce((SELECT max(id) FROM valuation_layer), 0),
                    coalesce((SELECT max(id) FROM lot), 0)) + 1, false)
                """)
            try await db.execute(
                "UPDATE counter SET value = (SELECT coalesce(max(sequence), 0) FROM event) WHERE name = 'event'")
            try await Self.bumpCatalogVersion(db)
        }
    }

    /// One multi-row `INSERT` with every value bound and cast to its column's type.
    private static func insert(into table: StoreCopy.Table, _ rows: ArraySlice<[StoreCopy.Value]>) throws
        -> PostgresQuery
    {
        var bindings = PostgresBindings(capacity: rows.count * table.columns.count)
        var tuples: [String] = []
        tuples.reserveCapacity(rows.count)
        for row in rows {
            var placeholders: [String] = []
            for (value, column) in zip(row, table.columns) {
                switch value {
                case .null: bindings.appendNull()
                case .integer(let integer): bindings.append(integer)
                case .real(let real): bindings.append(real)
                case .text(let text): bindings.append(text)
                case .boolean(let boolean): bindings.append(boolean)
                }
                placeholders.append("$\(bindings.count)::\(column.type.postgresCast)")
            }
            tuples.append("(" + placeholders.joined(separator: ", ") + ")")
        }
        let overriding = table.name == "layer_use" ? " OVERRIDING SYSTEM VALUE" : ""
        return PostgresQuery(
            unsafeSQL: "INSERT INTO \(table.name) (\(table.columns.map(\.name).joined(separator: ", ")))"
                + "\(overriding) VALUES \(tuples.joined(separator: ", "))",
            binds: bindings)
    }
}
