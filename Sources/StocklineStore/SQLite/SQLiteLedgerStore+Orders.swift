import Foundation
import GRDB
public import StocklineCore

extension SQLiteLedgerStore {
    public func addPartner(_ partner: Partner) async throws {
        defer { invalidateCatalog() }
        try await pool.write { db in
            guard
                try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM partner WHERE role = ? AND code = ?",
                    arguments: [partner.role.rawValue, partner.code]) == nil
            else { throw StockError.duplicate(kind: partner.role.rawValue, code: partner.code) }
            try db.execute(
                sql: "INSERT INTO partner (role, code, name, lead_days) VALUES (?, ?, ?, ?)",
                arguments: [partner.role.rawValue, partner.code, partner.name, partner.leadDays])
            try db.execute(sql: "UPDATE counter SET value = value + 1 WHERE name = 'catalog'")
        }
    }

    public func updatePartner(_ partner: Partner) async throws -> Bool {
        defer { invalidateCatalog() }
        return try await pool.write { db in
            try db.execute(
                sql: "UPDATE partner SET name = ?, lead_days = ? WHERE role = ? AND code = ?",
                arguments: [partner.name, partner.leadDays, partner.role.rawValue, partner.code])
            guard db.changesCount > 0 else { return false }
            try db.execute(sql: "UPDATE counter SET value = value + 1 WHERE name = 'catalog'")
            return true
        }
    }

    public func setRoute(_ route: Route) async throws {
        defer { invalidateCatalog() }
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO route (from_id, to_id, lead_days, cost) VALUES (?, ?, ?, ?)
                    ON CONFLICT (from_id, to_id) DO UPDATE SET lead_days = excluded.lead_days, cost = excluded.cost
                    """,
                arguments: [route.fromID.rawValue, route.toID.rawValue, route.leadDays, route.cost.micros])
            try db.execute(sql: "UPDATE counter SET value = value + 1 WHERE name = 'catalog'")
        }
    }

    public func order(id: String) async throws -> Order? {
        try await pool.read { db in try Self.loadOrders(ids: [id], db: db)[id] }
    }

    public func orders(kind: Order.Kind, limit: Int) async throws -> [Order] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT id, body FROM order_document WHERE kind = ? ORDER BY created_at DESC, id LIMIT ?",
                arguments: [kind.rawValue, limit]
            ).map { try decodeOrder($0["body"], id: $0["id"]) }
        }
    }

    /// The orders `ids` names that exist.
    static func loadOrders(ids: Set<String>, db: Database) throws -> [String: Order] {
        guard !ids.isEmpty else { return [:] }
        var orders: [String: Order] = [:]
        for row in try Row.cachedAll(
            db, sql: "SELECT id, body FROM order_document WHERE id IN (SELECT value FROM json_each(?))",
            arguments: [try json(ids.sorted())])
        {
            orders[row[0]] = try decodeOrder(row[1], id: row[0])
        }
        return orders
    }

    /// The open orders with a line for each of `items`.
    static func openOrders(of items: [Int64], db: Database) throws -> [ItemID: [String: Order]] {
        guard !items.isEmpty else { return [:] }
        var orders: [ItemID: [String: Order]] = [:]
        for row in try Row.cachedAll(
            db,
            sql: """
                SELECT i.item_id, d.id, d.body FROM order_item i JOIN order_document d ON d.id = i.order_id
                WHERE i.item_id IN (SELECT value FROM json_each(?))
                """, arguments: [try json(items)])
        {
            orders[ItemID(row[0]), default: [:]][row[1]] = try decodeOrder(row[2], id: row[1])
        }
        return orders
    }

    static func itemsWithOpenSales(db: Database) throws -> Set<ItemID> {
        Set(
            try Int64.fetchAll(db, sql: "SELECT DISTINCT item_id FROM order_item WHERE kind = 'sales'").map(
                ItemID.init))
    }

    /// Writes each order as it now is; only open orders are listed under their items.
    static func writeOrders(_ orders: [Order], db: Database) throws {
        for order in orders {
            try db.executeCached(
                sql: """
                    INSERT INTO order_document (id, kind, status, warehouse_id, partner, created_at, body)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET status = excluded.status, body = excluded.body
                    """,
                arguments: [
                    order.id, order.kind.rawValue, order.status.rawValue, order.warehouseID.rawValue, order.partner,
                    order.created.timeIntervalSince1970, try json(order),
                ])
            try db.executeCached(sql: "DELETE FROM order_item WHERE order_id = ?", arguments: [order.id])
            guard order.isOpen else { continue }
            for item in order.itemIDs.sorted() {
                try db.executeCached(
                    sql: "INSERT INTO order_item (item_id, order_id, kind) VALUES (?, ?, ?)",
                    arguments: [item.rawValue, order.id, order.kind.rawValue])
            }
        }
    }
}
