import Foundation
import GRDB
public import StocklineCore
import Synchronization

/// The embedded store: one SQLite file in WAL mode, one writer at a time, readers alongside.
public final class SQLiteLedgerStore: LedgerStore {
    let pool: DatabasePool
    private let cachedCatalog = Mutex<(version: Int64, catalog: Catalog)?>(nil)

    /// Opens (creating if needed) the database at `path`.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        configuration.busyMode = .timeout(30)
        pool = try DatabasePool(path: path, configuration: configuration)
    }

    /// The database file.
    public var path: String { pool.path }

    public func migrate() async throws {
        try SQLiteSchema.migrator.migrate(pool)
    }

    // MARK: - Master data

    /// The catalog, from memory unless a writer (this process or another on the same file) changed it since: every
    /// change of companies, warehouses and locations bumps the `catalog` counter in its transaction.
    public func catalog() async throws -> Catalog {
        try await pool.read { db in try self.catalog(db) }
    }

    /// The catalog as of `db`'s transaction, from memory when its version is the stored one.
    func catalog(_ db: Database) throws -> Catalog {
        let cached = cachedCatalog.withLock { $0 }
        let version = try Int64.cachedOne(db, sql: "SELECT value FROM counter WHERE name = 'catalog'") ?? 0
        if let cached, cached.version == version { return cached.catalog }
        let catalog = try Self.loadCatalog(db)
        cachedCatalog.withLock { kept in
            if (kept?.version ?? -1) <= version { kept = (version, catalog) }
        }
        return catalog
    }

    func invalidateCatalog() { cachedCatalog.withLock { $0 = nil } }

    /// Runs one statement in a transaction of its own: for tests that set up what no API does (a corrupted row).
    func execute(unsafeSQL sql: String) async throws {
        try await pool.write { db in try db.execute(sql: sql) }
        invalidateCatalog()
    }

    static func loadCatalog(_ db: Database) throws -> Catalog {
        let companies = try Row.fetchAll(db, sql: "SELECT * FROM company").map { row in
            Company(
                id: CompanyID(row["id"]), code: row["code"], currency: row["currency"],
                costing: try stored(CostingMethod.self, row["costing"], in: "company.costing"))
        }
        let warehouses = try Row.fetchAll(db, sql: "SELECT * FROM warehouse").map { row in
            Warehouse(
                id: WarehouseID(row["id"]), code: row["code"], companyID: CompanyID(row["company_id"]),
                kind: try stored(Warehouse.Kind.self, row["kind"], in: "warehouse.kind"),
                allowNegative: row["allow_negative"], rootLocationID: LocationID(row["root_location_id"]),
                stockLocationID: LocationID(row["stock_location_id"]), qcLocationID: LocationID(row["qc_location_id"]),
                transitLocationID: LocationID(row["transit_location_id"]))
        }
        let locations = try Row.fetchAll(db, sql: "SELECT * FROM location").map { row in
            Location(
                id: LocationID(row["id"]), path: row["path"],
                usage: try stored(Location.Usage.self, row["usage"], in: "location.usage"),
                parentID: (row["parent_id"] as Int64?).map(LocationID.init),
                warehouseID: (row["warehouse_id"] as Int64?).map(WarehouseID.init))
        }
        let partners = try Row.fetchAll(db, sql: "SELECT * FROM partner").map { row in
            Partner(
                code: row["code"], role: try stored(Partner.Role.self, row["role"], in: "partner.role"),
                name: row["name"], leadDays: row["lead_days"])
        }
        let routes = try Row.fetchAll(db, sql: "SELECT * FROM route").map { row in
            Route(
                fromID: WarehouseID(row["from_id"]), toID: WarehouseID(row["to_id"]), leadDays: row["lead_days"],
                cost: Fixed(micros: row["cost"]))
        }
        return Catalog(
            companies: companies, warehouses: warehouses, locations: locations, partners: partners, routes: routes)
    }

    public func addCompany(code: String, currency: String, costing: CostingMethod) async throws -> Company {
        let code = try MasterData.code(code, field: "code")
        let currency = try MasterData.currency(currency)
        defer { invalidateCatalog() }
        return try await pool.write { db in
            try db.execute(sql: "UPDATE counter SET value = value + 1 WHERE name = 'catalog'")
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM company WHERE code = ?", arguments: [code]) == nil else {
                throw StockError.duplicate(kind: "company", code: code)
            }
            try db.execute(
                sql: "INSERT INTO company (code, currency, costing) VALUES (?, ?, ?)",
                arguments: [code, currency, costing.rawValue])
            let company = Company(id: CompanyID(db.lastInsertedRowID), code: code, currency: currency, costing: costing)
            try Self.appendEvent(
                db, type: "company.created", subject: "company/\(code)",
                payload: ["currency": currency, "costing": costing.rawValue], at: Date())
            return company
        }
    }

    public func addWarehouse(code: String, company: CompanyID, kind: Warehouse.Kind, allowNegative: Bool) async throws
        -> Warehouse
    {
        let code = try MasterData.code(code, field: "code")
        defer { invalidateCatalog() }
        return try await pool.write { db in
            try db.execute(sql: "UPDATE counter SET value = value + 1 WHERE name = 'catalog'")
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM company WHERE id = ?", arguments: [company.rawValue]) != nil
            else {
                throw StockError.unknownCompany(String(company.rawValue))
            }
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM location WHERE path = ?", arguments: [code]) == nil else {
                throw StockError.duplicate(kind: "warehouse", code: code)
            }
            func insert(_ path: String, _ usage: Location.Usage, parent: Int64?) throws -> Int64 {
                try db.execute(
                    sql: "INSERT INTO location (path, usage, parent_id) VALUES (?, ?, ?)",
                    arguments: [path, usage.rawValue, parent])
                return db.lastInsertedRowID
            }
            let root = try insert(code, .view, parent: nil)
            var children: [String: Int64] = [:]
            for name in Warehouse.standardLocations {
                children[name] = try insert("\(code)/\(name)", .internal, parent: root)
            }
            let transitRoot = try Int64.fetchOne(db, sql: "SELECT id FROM location WHERE path = 'Transit'")
            let transit = try insert("Transit/\(code)", .transit, parent: transitRoot)
            try db.execute(
                sql: """
                    INSERT INTO warehouse (code, company_id, kind, allow_negative, root_location_id, stock_location_id,
                        qc_location_id, transit_location_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    code, company.rawValue, kind.rawValue, allowNegative, root, children["STOCK"],
                    children["QC"], transit,
                ])
            let id = db.lastInsertedRowID
            try db.execute(
                sql: "UPDATE location SET warehouse_id = ? WHERE id IN (?, ?, ?, ?, ?, ?)",
                arguments: [
                    id, root, children["STOCK"], children["INPUT"], children["QC"], children["OUTPUT"], transit,
                ])
            try Self.appendEvent(
                db, type: "warehouse.created", subject: "warehouse/\(code)", payload: ["kind": kind.rawValue],
                at: Date())
            return Warehouse(
                id: WarehouseID(id), code: code, companyID: company, kind: kind, allowNegative: allowNegative,
                rootLocationID: LocationID(root), stockLocationID: LocationID(children["STOCK"] ?? 0),
                qcLocationID: LocationID(children["QC"] ?? 0), transitLocationID: LocationID(transit))
        }
    }

    public func addLocation(path: String) async throws -> Location {
        let path = try MasterData.path(path)
        defer { invalidateCatalog() }
        return try await pool.write { db in
            try db.execute(sql: "UPDATE counter SET value = value + 1 WHERE name = 'catalog'")
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM location WHERE path = ?", arguments: [path]) == nil else {
                throw StockError.duplicate(kind: "location", code: path)
            }
            let parentPath = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
            guard
                let parent = try Row.fetchOne(
                    db, sql: "SELECT id, usage, warehouse_id FROM location WHERE path = ?",
                    arguments: [parentPath]),
                let warehouse = parent["warehouse_id"] as Int64?, parent["usage"] as String == "internal"
            else { throw StockError.unknownLocation("\(parentPath) (the parent of \(path)) is not a stock location") }
            try db.execute(
                sql: "INSERT INTO location (path, usage, parent_id, warehouse_id) VALUES (?, 'internal', ?, ?)",
                arguments: [path, parent["id"] as Int64, warehouse])
            return Location(
                id: LocationID(db.lastInsertedRowID), path: path, usage: .internal,
                parentID: LocationID(parent["id"]), warehouseID: WarehouseID(warehouse))
        }
    }

    public func addItem(_ item: Item) async throws -> Item {
        try MasterData.validate(item)
        return try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM item WHERE sku = ?", arguments: [item.sku]) == nil else {
                throw StockError.duplicate(kind: "item", code: item.sku)
            }
            try db.execute(
                sql: "INSERT INTO item (sku, lifecycle, data) VALUES (?, ?, '')",
                arguments: [item.sku, item.lifecycle.rawValue])
            var stored = item
            stored.id = ItemID(db.lastInsertedRowID)
            try db.execute(
                sql: "INSERT INTO item_book (item_id, version) VALUES (?, 0)", arguments: [stored.id.rawValue])
            try db.execute(
                sql: "UPDATE item SET data = ? WHERE id = ?", arguments: [try Self.json(stored), stored.id.rawValue])
            try Self.appendEvent(
                db, type: "item.created", subject: "item/\(item.sku)", payload: ["unit": item.unit.name], at: Date())
            return stored
        }
    }

    public func updateItem(sku: String, _ change: @Sendable (Item) throws -> Item) async throws -> Item {
        try await pool.write { db in
            guard let data = try String.fetchOne(db, sql: "SELECT data FROM item WHERE sku = ?", arguments: [sku])
            else {
                throw StockError.unknownItem(sku: sku)
            }
            let current = try Self.decode(Item.self, data)
            let updated = try MasterData.update(current, to: change(current))
            try db.execute(
                sql: "UPDATE item SET data = ?, lifecycle = ? WHERE id = ?",
                arguments: [try Self.json(updated), updated.lifecycle.rawValue, updated.id.rawValue])
            try db.execute(
                sql: "UPDATE item_book SET version = version + 1 WHERE item_id = ?", arguments: [updated.id.rawValue])
            try Self.appendEvent(db, type: "item.updated", subject: "item/\(sku)", payload: [:], at: Date())
            return updated
        }
    }

    public func items(limit: Int, after: ItemID?) async throws -> [Item] {
        try await pool.read { db in
            try String.fetchAll(
                db, sql: "SELECT data FROM item WHERE id > ? ORDER BY id LIMIT ?",
                arguments: [after?.rawValue ?? 0, limit]
            ).map { try Self.decode(Item.self, $0) }
        }
    }

    // MARK: - Postings

    public func items(ids: [ItemID]) async throws -> [Item] {
        try await pool.read { db in
            try String.fetchAll(
                db, sql: "SELECT data FROM item WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
                arguments: [try Self.json(ids.map(\.rawValue))]
            ).map { try Self.decode(Item.self, $0) }
        }
    }

    public func snapshot(_ request: StateRequest) async throws -> LedgerState {
        let catalog = try await catalog()
        return try await pool.read { db in try Self.loadState(request, catalog: catalog, db: db) }
    }

    public func postings(keys: [String]) async throws -> [String: PostingSummary] {
        try await pool.read { db in try Self.loadPostings(Set(keys), db: db) }
    }

    static func json<T: Encodable>(_ value: T) throws -> String { try CanonicalJSON.text(value) }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    static func appendEvent(_ db: Database, type: String, subject: String, payload: [String: String], at: Date) throws {
        try db.executeCached(
            sql: "INSERT INTO event (type, subject, payload, at) VALUES (?, ?, ?, ?)",
            arguments: [type, subject, CompactJSON.object(payload), at.timeIntervalSince1970])
    }
}
