import Foundation
public import PostgresNIO
public import StocklineCore
import Synchronization

/// The shared store: one PostgreSQL database that any number of Stockline instances write to at the same time.
///
/// It runs the same planner as `SQLiteLedgerStore` over the same tables, so both agree on every number; what differs
/// is how writers are kept apart. SQLite has one writer at a time; here each posting locks the rows of the items it
/// touches (`SELECT … FOR UPDATE`, in item id order, before it reads their stock), takes its ids from sequences, and
/// numbers its outbox events under a single counter row, so concurrent instances never oversell, never collide on an
/// id, never deadlock in the normal case, and never publish an event out of order. A transaction that still loses a
/// race (deadlock, serialization failure, a key posted at the same moment elsewhere) is rolled back and run again.
///
/// The store owns a `PostgresClient` (a connection pool) and the task that runs it; call ``shutdown()`` when done
/// with it (dropping the last reference stops the pool too, less gracefully).
public final class PostgresLedgerStore: LedgerStore {
    /// The schema holding the ledger's tables; every connection of the pool has it as its `search_path`.
    public let schema: String
    let client: PostgresClient
    let logger: Logger
    /// Where the server is, for messages: `host:port as user` or the socket path.
    let endpoint: String
    private let runner: Task<Void, Never>
    private let cachedCatalog = Mutex<CachedCatalog?>(nil)

    /// How often a transaction that lost a race is tried in all before its error is reported.
    static let maxAttempts = 8

    private struct CachedCatalog: Sendable {
        var version: Int64
        var catalog: Catalog
    }

    /// Opens the database a `postgres://` URL names (see `isURL`); nothing is created until ``migrate()``.
    ///
    /// - Parameters:
    ///   - url: `postgres://user:password@host:port/database?sslmode=disable&schema=name`.
    ///   - schema: the schema for the ledger's tables; overrides the URL's `schema` parameter (default `public`).
    ///   - maximumConnections: the pool's size; every instance of a deployment holds up to this many connections, so
    ///     keep the sum below the server's `max_connections`.
    public convenience init(url: String, schema: String? = nil, maximumConnections: Int = 20, logger: Logger? = nil)
        throws(PostgresStoreError)
    {
        let address = try PostgresAddress(url: url)
        var configuration = address.configuration
        configuration.options.maximumConnections = max(1, maximumConnections)
        try self.init(configuration: configuration, schema: schema ?? address.schema ?? "public", logger: logger)
    }

    /// Opens a database from a ready-made client configuration, for callers that build their own (TLS, pool size).
    public init(configuration: PostgresClient.Configuration, schema: String = "public", logger: Logger? = nil)
        throws(PostgresStoreError)
    {
        guard Self.isValidSchema(schema) else { throw .invalidSchema(schema) }
        var configuration = configuration
        configuration.options.additionalStartupParameters.append(("search_path", schema))
        let client = PostgresClient(configuration: configuration)
        self.client = client
        endpoint =
            configuration.unixSocketPath.map { "\($0) as \(configuration.username)" }
            ?? "\(configuration.host ?? "?"):\(configuration.port ?? 5432) as \(configuration.username)"
        self.schema = schema
        self.logger = logger ?? Logger(label: "stockline.postgres")
        runner = Task { await client.run() }
    }

    deinit {
        runner.cancel()
    }

    /// Whether `text` is a PostgreSQL URL (`postgres://` or `postgresql://`) rather than a SQLite path.
    public static func isURL(_ text: String) -> Bool { PostgresAddress.isURL(text) }

    /// Throws what ``init(url:schema:maximumConnections:logger:)`` would for `url`, without connecting: for doors
    /// that check their options before doing any work.
    public static func check(url: String) throws(PostgresStoreError) {
        let address = try PostgresAddress(url: url)
        if let schema = address.schema, !isValidSchema(schema) { throw .invalidSchema(schema) }
    }

    /// Whether `name` can be a ledger schema: lower-case letters, digits and underscores, so it never needs quoting.
    public static func isValidSchema(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 63,
            first == "_" || ("a"..."z").contains(first)
        else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }

    /// A migrated store in a new schema (`<prefix>_<random>`), for a throwaway ledger that ``dropSchema()``
    /// removes; a migration that fails drops the schema again.
    public static func scratch(url: String, prefix: String, maximumConnections: Int) async throws
        -> PostgresLedgerStore
    {
        let random = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        let store = try PostgresLedgerStore(
            url: url, schema: "\(prefix)_\(random)", maximumConnections: maximumConnections)
        do {
            try await store.migrate()
        } catch {
            try? await store.dropSchema()
            await store.shutdown()
            throw error
        }
        return store
    }

    /// Closes the pool's connections and stops its task; the store cannot be used afterwards.
    public func shutdown() async {
        runner.cancel()
        await runner.value
    }

    /// Drops the store's schema with everything in it: for tests and scenario runs that made a throwaway schema.
    /// `public` is refused, so a mistaken call can never wipe a real ledger.
    public func dropSchema() async throws {
        guard schema != "public" else { throw PostgresStoreError.protectedSchema(schema) }
        try await transaction(.write) { db in
            try await db.execute("DROP SCHEMA IF EXISTS \(unescaped: schema) CASCADE")
        }
        cachedCatalog.withLock { $0 = nil }
    }

    /// Runs one statement in a transaction of its own: for tests that set up what no API does (smaller id blocks).
    func execute(unsafeSQL sql: String) async throws {
        try await transaction(.write) { db in try await db.execute(PostgresQuery(unsafeSQL: sql)) }
    }

    // MARK: - Migrations

    /// Creates the schema and applies the migrations it lacks, in one transaction; several instances starting at
    /// once wait for each other on the migration table's lock, and the later ones find nothing left to do.
    public func migrate() async throws {
        try await transaction(.write) { db in
            // Created only when missing: `CREATE SCHEMA IF NOT EXISTS` wants the right to create schemas even when
            // the schema exists, which the owner of a ready-made schema may not have.
            if try await db.value("SELECT 1 FROM pg_namespace WHERE nspname = \(schema)", as: Int32.self) == nil {
                try await db.execute("CREATE SCHEMA IF NOT EXISTS \(unescaped: schema)")
            }
            try await db.execute("SET LOCAL search_path TO \(unescaped: schema)")
            try await db.execute(
                """
                CREATE TABLE IF NOT EXISTS \(unescaped: PostgresSchema.migrationTable) (
                    id TEXT PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL)
                """)
            try await db.execute("LOCK TABLE \(unescaped: PostgresSchema.migrationTable) IN EXCLUSIVE MODE")
            let applied = Set(
                try await db.values("SELECT id FROM \(unescaped: PostgresSchema.migrationTable)", as: String.self))
            for migration in PostgresSchema.migrations where !applied.contains(migration.id) {
                for statement in migration.statements { try await db.execute(PostgresQuery(unsafeSQL: statement)) }
                try await db.execute(
                    """
                    INSERT INTO \(unescaped: PostgresSchema.migrationTable) (id, applied_at)
                    VALUES (\(migration.id), \(Date().timeIntervalSince1970))
                    """)
            }
        }
    }

    // MARK: - Master data

    public func catalog() async throws -> Catalog {
        try await transaction(.read) { db in try await self.catalog(db) }
    }

    /// The catalog as of `db`'s transaction, from the cache unless some instance changed it since.
    ///
    /// Every change of companies, warehouses and locations bumps the `catalog` counter in its transaction, so one
    /// cheap read tells whether the cached copy is current. The version is read before the catalog, so a catalog
    /// newer than its version can be cached (and is reloaded once more later), an older one never.
    func catalog(_ db: PostgresSession) async throws -> Catalog {
        let version = try await db.value("SELECT value FROM counter WHERE name = 'catalog'", as: Int64.self) ?? 0
        if let cached = cachedCatalog.withLock({ $0 }), cached.version == version { return cached.catalog }
        let catalog = try await Self.loadCatalog(db)
        cachedCatalog.withLock { cached in
            if (cached?.version ?? -1) <= version { cached = CachedCatalog(version: version, catalog: catalog) }
        }
        return catalog
    }

    static func loadCatalog(_ db: PostgresSession) async throws -> Catalog {
        let companies = try await db.rows("SELECT * FROM company ORDER BY id").map { row in
            Company(
                id: CompanyID(try row.get("id")), code: try row.get("code"), currency: try row.get("currency"),
                costing: try stored(CostingMethod.self, try row.get("costing"), in: "company.costing"))
        }
        let warehouses = try await db.rows("SELECT * FROM warehouse ORDER BY id").map { row in
            Warehouse(
                id: WarehouseID(try row.get("id")), code: try row.get("code"),
                companyID: CompanyID(try row.get("company_id")),
                kind: try stored(Warehouse.Kind.self, try row.get("kind"), in: "warehouse.kind"),
                allowNegative: try row.get("allow_negative"),
                rootLocationID: LocationID(try row.get("root_location_id")),
                stockLocationID: LocationID(try row.get("stock_location_id")),
                qcLocationID: LocationID(try row.get("qc_location_id")),
                transitLocationID: LocationID(try row.get("transit_location_id")))
        }
        let locations = try await db.rows("SELECT * FROM location ORDER BY id").map { row in
            Location(
                id: LocationID(try row.get("id")), path: try row.get("path"),
                usage: try stored(Location.Usage.self, try row.get("usage"), in: "location.usage"),
                parentID: (try row.get("parent_id", as: Int64?.self)).map(LocationID.init),
                warehouseID: (try row.get("warehouse_id", as: Int64?.self)).map(WarehouseID.init))
        }
        let partners = try await db.rows("SELECT * FROM partner ORDER BY role, code").map { row in
            Partner(
                code: try row.get("code"),
                role: try stored(Partner.Role.self, try row.get("role"), in: "partner.role"),
                name: try row.get("name"), leadDays: Int(try row.get("lead_days", as: Int64.self)))
        }
        let routes = try await db.rows("SELECT * FROM route ORDER BY from_id, to_id").map { row in
            Route(
                fromID: WarehouseID(try row.get("from_id")), toID: WarehouseID(try row.get("to_id")),
                leadDays: Int(try row.get("lead_days", as: Int64.self)), cost: Fixed(micros: try row.get("cost")))
        }
        return Catalog(
            companies: companies, warehouses: warehouses, locations: locations, partners: partners, routes: routes)
    }

    /// Marks the catalog changed for every instance; in the transaction that changes it.
    static func bumpCatalogVersion(_ db: PostgresSession) async throws {
        try await db.execute("UPDATE counter SET value = value + 1 WHERE name = 'catalog'")
    }

    public func addCompany(code: String, currency: String, costing: CostingMethod) async throws -> Company {
        let code = try MasterData.code(code, field: "code")
        let currency = try MasterData.currency(currency)
        return try await transaction(.write) { db in
            guard try await db.value("SELECT 1 FROM company WHERE code = \(code)", as: Int32.self) == nil else {
                throw StockError.duplicate(kind: "company", code: code)
            }
            let id = try await Self.insert(
                db, "INSERT INTO company (code, currency, costing) VALUES (\(code), \(currency), \(costing.rawValue))")
            try await Self.bumpCatalogVersion(db)
            try await Self.appendEvents(
                db,
                [
                    OutboxEntry(
                        type: "company.created", subject: "company/\(code)",
                        payload: ["currency": currency, "costing": costing.rawValue], at: Date())
                ])
            return Company(id: CompanyID(id), code: code, currency: currency, costing: costing)
        }
    }

    public func addWarehouse(code: String, company: CompanyID, kind: Warehouse.Kind, allowNegative: Bool)
        async throws -> Warehouse
    {
        let code = try MasterData.code(code, field: "code")
        return try await transaction(.write) { db in
            guard try await db.value("SELECT 1 FROM company WHERE id = \(company.rawValue)", as: Int32.self) != nil
            else { throw StockError.unknownCompany(String(company.rawValue)) }
            guard try await db.value("SELECT 1 FROM location WHERE path = \(code)", as: Int32.self) == nil else {
                throw StockError.duplicate(kind: "warehouse", code: code)
            }
            func insert(_ path: String, _ usage: Location.Usage, parent: Int64?) async throws -> Int64 {
                try await Self.insert(
                    db, "INSERT INTO location (path, usage, parent_id) VALUES (\(path), \(usage.rawValue), \(parent))")
            }
            let root = try await insert(code, .view, parent: nil)
            var children: [String: Int64] = [:]
            for name in Warehouse.standardLocations {
                children[name] = try await insert("\(code)/\(name)", .internal, parent: root)
            }
            let transitRoot = try await db.value("SELECT id FROM location WHERE path = 'Transit'", as: Int64.self)
            let transit = try await insert("Transit/\(code)", .transit, parent: transitRoot)
            guard let stock = children["STOCK"], let input = children["INPUT"], let qc = children["QC"],
                let output = children["OUTPUT"]
            else { throw StoreError.corrupt("warehouse \(code) was created without its standard locations") }
            let id = try await Self.insert(
                db,
                """
                INSERT INTO warehouse (code, company_id, kind, allow_negative, root_location_id, stock_location_id,
                    qc_location_id, transit_location_id)
                VALUES (\(code), \(company.rawValue), \(kind.rawValue), \(allowNegative), \(root), \(stock), \(qc),
                    \(transit))
                """)
            try await db.execute(
                "UPDATE location SET warehouse_id = \(id) WHERE id = ANY(\([root, stock, input, qc, output, transit]))")
            try await Self.bumpCatalogVersion(db)
            try await Self.appendEvents(
                db,
                [
                    OutboxEntry(
                        type: "warehouse.created", subject: "warehouse/\(code)", payload: ["kind": kind.rawValue],
                        at: Date())
                ])
            return Warehouse(
                id: WarehouseID(id), code: code, companyID: company, kind: kind, allowNegative: allowNegative,
                rootLocationID: LocationID(root), stockLocationID: LocationID(stock), qcLocationID: LocationID(qc),
                transitLocationID: LocationID(transit))
        }
    }

    public func addLocation(path: String) async throws -> Location {
        let path = try MasterData.path(path)
        return try await transaction(.write) { db in
            guard try await db.value("SELECT 1 FROM location WHERE path = \(path)", as: Int32.self) == nil else {
                throw StockError.duplicate(kind: "location", code: path)
            }
            let parentPath = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
            guard
                let parent = try await db.rows(
                    "SELECT id, usage, warehouse_id FROM location WHERE path = \(parentPath)"
                ).first,
                let warehouse = try parent.get("warehouse_id", as: Int64?.self),
                try parent.get("usage", as: String.self) == "internal"
            else { throw StockError.unknownLocation("\(parentPath) (the parent of \(path)) is not a stock location") }
            let parentID: Int64 = try parent.get("id")
            let id = try await Self.insert(
                db,
                """
                INSERT INTO location (path, usage, parent_id, warehouse_id)
                VALUES (\(path), 'internal', \(parentID), \(warehouse))
                """)
            try await Self.bumpCatalogVersion(db)
            return Location(
                id: LocationID(id), path: path, usage: .internal, parentID: LocationID(parentID),
                warehouseID: WarehouseID(warehouse))
        }
    }

    public func addItem(_ item: Item) async throws -> Item {
        try MasterData.validate(item)
        return try await transaction(.write) { db in
            guard try await db.value("SELECT 1 FROM item WHERE sku = \(item.sku)", as: Int32.self) == nil else {
                throw StockError.duplicate(kind: "item", code: item.sku)
            }
            var stored = item
            stored.id = ItemID(
                try await Self.insert(
                    db, "INSERT INTO item (sku, lifecycle, data) VALUES (\(item.sku), \(item.lifecycle.rawValue), '')"))
            try await db.execute("INSERT INTO item_book (item_id, version) VALUES (\(stored.id.rawValue), 0)")
            try await db.execute("UPDATE item SET data = \(try Self.json(stored)) WHERE id = \(stored.id.rawValue)")
            try await Self.appendEvents(
                db,
                [
                    OutboxEntry(
                        type: "item.created", subject: "item/\(item.sku)", payload: ["unit": item.unit.name],
                        at: Date())
                ])
            return stored
        }
    }

    public func updateItem(sku: String, _ change: @Sendable (Item) throws -> Item) async throws -> Item {
        try await transaction(.write) { db in
            // The book's row first, in the order postings lock: the two never wait for each other in a circle.
            try await db.execute(
                "UPDATE item_book SET version = version + 1 WHERE item_id = (SELECT id FROM item WHERE sku = \(sku))")
            guard let data = try await db.value("SELECT data FROM item WHERE sku = \(sku) FOR UPDATE", as: String.self)
            else {
                throw StockError.unknownItem(sku: sku)
            }
            let current = try Self.decode(Item.self, data)
            let updated = try MasterData.update(current, to: change(current))
            try await db.execute(
                "UPDATE item SET data = \(try Self.json(updated)), lifecycle = \(updated.lifecycle.rawValue) WHERE id = \(updated.id.rawValue)"
            )
            try await Self.appendEvents(
                db, [OutboxEntry(type: "item.updated", subject: "item/\(sku)", payload: [:], at: Date())])
            return updated
        }
    }

    public func items(limit: Int, after: ItemID?) async throws -> [Item] {
        try await transaction(.read) { db in
            try await db.values(
                "SELECT data FROM item WHERE id > \(after?.rawValue ?? 0) ORDER BY id LIMIT \(Int64(max(0, limit)))",
                as: String.self
            ).map { try Self.decode(Item.self, $0) }
        }
    }

    /// Runs an `INSERT … ` and answers the id the database gave the new row.
    static func insert(_ db: PostgresSession, _ query: PostgresQuery) async throws -> Int64 {
        var query = query
        query.sql += " RETURNING id"
        guard let id = try await db.value(query, as: Int64.self) else {
            throw StoreError.corrupt("an insert returned no id: \(query.sql)")
        }
        return id
    }

    // MARK: - Postings

    public func items(ids: [ItemID]) async throws -> [Item] {
        try await transaction(.read) { db in
            try await db.values(
                "SELECT data FROM item WHERE id = ANY(\(ids.map(\.rawValue))) ORDER BY id", as: String.self
            )
            .map { try Self.decode(Item.self, $0) }
        }
    }

    public func snapshot(_ request: StateRequest) async throws -> LedgerState {
        try await transaction(.read) { db in
            let catalog = try await self.catalog(db)
            let itemIDs = try await Self.resolveItems(request, db: db)
            guard
                let row = try await db.rows(
                    """
                    SELECT (SELECT coalesce(max(id), 0) FROM move) + 1 AS move,
                        (SELECT coalesce(max(id), 0) FROM valuation_layer) + 1 AS layer,
                        (SELECT coalesce(max(id), 0) FROM lot) + 1 AS lot
                    """
                ).first
            else { throw StoreError.corrupt("no row of next ids") }
            let ids = IDAllocator(
                nextMove: try row.get("move"), nextLayer: try row.get("layer"),
                nextLot: try row.get("lot"))
            return try await Self.loadState(request, itemIDs: itemIDs, catalog: catalog, ids: ids, db: db)
        }
    }

    public func postings(keys: [String]) async throws -> [String: PostingSummary] {
        try await transaction(.read) { db in try await Self.loadPostings(Set(keys), db: db) }
    }

    // MARK: - Transactions

    enum Access {
        /// READ COMMITTED: each statement sees what committed before it, which after `FOR UPDATE` is the latest
        /// state of the locked rows; a lost race is retried.
        case write
        /// REPEATABLE READ, READ ONLY: every statement sees one snapshot, so a read never mixes two postings.
        case read
    }

    /// Runs `body` in a transaction on a pooled connection, again (with a short, growing, jittered pause) when it
    /// lost a race to another writer: a deadlock (40P01), a serialization failure (40001), or a unique key another
    /// transaction inserted first (23505: a posting key, an SKU; running again finds the row and answers as SQLite
    /// would). Errors of the ledger (`StockError`) pass through untouched; database errors become
    /// `PostgresStoreError.database` with the server's message.
    func transaction<Value: Sendable>(_ access: Access, _ body: (PostgresSession) async throws -> Value)
        async throws -> Value
    {
        var attempt = 1
        while true {
            let leased = Mutex(false)
            do {
                return try await client.withConnection { connection in
                    leased.withLock { $0 = true }
                    let db = PostgresSession(connection: connection, logger: logger)
                    switch access {
                    case .write: try await db.execute("BEGIN")
                    case .read: try await db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    }
                    do {
                        let value = try await body(db)
                        try await db.execute("COMMIT")
                        return value
                    } catch {
                        do {
                            try await db.execute("ROLLBACK")
                        } catch {
                            // Never hand a connection back to the pool in the middle of a transaction.
                            try? await connection.close()
                        }
                        throw error
                    }
                }
            } catch let error as PSQLError {
                let transient = ["40001", "40P01", "23505"].contains(error.sqlState ?? "")
                guard transient, attempt < Self.maxAttempts else { throw Self.describe(error) }
                logger.debug(
                    "retrying a transaction that lost a race",
                    metadata: ["sqlstate": "\(error.sqlState ?? "")", "attempt": "\(attempt)"])
                let ceiling = min(2_000, 10 << attempt)
                try await Task.sleep(for: .milliseconds(Int.random(in: ceiling / 2...ceiling)))
                attempt += 1
            } catch  where !leased.withLock({ $0 }) && !(error is CancellationError) {
                // The pool could not hand out a connection (server down, wrong port, refused login): its own error
                // types say little to an operator.
                throw PostgresStoreError.database(state: nil, message: "cannot connect to \(endpoint): \(error)")
            }
        }
    }

    /// The operator-facing form of a database error (PostgresNIO hides the server's message by default).
    static func describe(_ error: PSQLError) -> PostgresStoreError {
        if let message = error.serverInfo?[.message] {
            let detail = error.serverInfo?[.detail].map { " (\($0))" } ?? ""
            return .database(state: error.sqlState, message: message + detail)
        }
        let underlying = error.underlying.map { ": \($0)" } ?? ""
        return .database(state: nil, message: "\(error.code)\(underlying)")
    }

    // MARK: - JSON

    static func json<T: Encodable>(_ value: T) throws -> String { try CanonicalJSON.text(value) }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}
