import Foundation
import PostgresNIO
public import StocklineCore

extension PostgresLedgerStore {
    public func addPartner(_ partner: Partner) async throws {
        try await transaction(.write) { db in
            guard
                try await db.value(
                    "SELECT 1 FROM partner WHERE role = \(partner.role.rawValue) AND code = \(partner.code)",
                    as: Int32.self) == nil
            else { throw StockError.duplicate(kind: partner.role.rawValue, code: partner.code) }
            try await db.execute(
                """
                INSERT INTO partner (role, code, name, lead_days)
                VALUES (\(partner.role.rawValue), \(partner.code), \(partner.name), \(Int64(partner.leadDays)))
                """)
            try await Self.bumpCatalogVersion(db)
        }
    }

    public func updatePartner(_ partner: Partner) async throws -> Bool {
        try await transaction(.write) { db in
            let updated = try await db.rows(
                """
                UPDATE partner SET name = \(partner.name), lead_days = \(Int64(partner.leadDays))
                WHERE role = \(partner.role.rawValue) AND code = \(partner.code) RETURNING code
                """)
            guard !updated.isEmpty else { return false }
            try await Self.bumpCatalogVersion(db)
            return true
        }
    }

    public func setRoute(_ route: Route) async throws {
        try await transaction(.write) { db in
            try await db.execute(
                """
                INSERT INTO route (from_id, to_id, lead_days, cost)
                VALUES (\(route.fromID.rawValue), \(route.toID.rawValue), \(Int64(route.leadDays)), \(route.cost.micros))
                ON CONFLICT (from_id, to_id) DO UPDATE SET lead_days = excluded.lead_days, cost = excluded.cost
                """)
            try await Self.bumpCatalogVersion(db)
        }
    }

    public func order(id: String) async throws -> Order? {
        try await transaction(.read) { db in try await Self.loadOrders(ids: [id], db: db)[id] }
    }

    public func orders(kind: Order.Kind, limit: Int) async throws -> [Order] {
        try await transaction(.read) { db in
            try await db.rows(
                """
                SELECT id, body FROM order_document WHERE kind = \(kind.rawValue)
                ORDER BY created_at DESC, id LIMIT \(Int64(limit))
                """
            ).map { try decodeOrder(try $0.get("body"), id: try $0.get("id")) }
        }
    }

    static func loadOrders(ids: Set<String>, db: PostgresSession) async throws -> [String: Order] {
        guard !ids.isEmpty else { return [:] }
        var orders: [String: Order] = [:]
        for row in try await db.rows("SELECT id, body FROM order_document WHERE id = ANY(\(ids.sorted()))") {
            let id: String = try row.get("id")
            orders[id] = try decodeOrder(try row.get("body"), id: id)
        }
        return orders
    }

    static func openOrders(of items: [Int64], db: PostgresSession) async throws -> [ItemID: [String: Order]] {
        guard !items.isEmpty else { return [:] }
        var orders: [ItemID: [String: Order]] = [:]
        for row in try await db.rows(
            """
            SELECT i.item_id, d.id, d.body FROM order_item i JOIN order_document d ON d.id = i.order_id
            WHERE i.item_id = ANY(\(items))
            """)
        {
            let id: String = try row.get("id")
            orders[ItemID(try row.get("item_id")), default: [:]][id] = try decodeOrder(try row.get("body"), id: id)
        }
        return orders
    }

    static func itemsWithOpenSales(db: PostgresSession) async throws -> Set<ItemID> {
        Set(
            try await db.rows("SELECT DISTINCT item_id FROM order_item WHERE kind = 'sales'").map {
                ItemID(try $0.get("item_id"))
            })
    }

    static func writeOrders(_ orders: [Order], db: PostgresSession) async throws {
        for order in orders {
            try await db.execute(
                """
                INSERT INTO order_document (id, kind, status, warehouse_id, partner, created_at, body)
                VALUES (\(order.id), \(order.kind.rawValue), \(order.status.rawValue), \(order.warehouseID.rawValue),
                    \(order.partner), \(order.created.timeIntervalSince1970), \(try json(order)))
                ON CONFLICT (id) DO UPDATE SET status = excluded.status, body = excluded.body
                """)
            try await db.execute("DELETE FROM order_item WHERE order_id = \(order.id)")
            guard order.isOpen else { continue }
            let items = order.itemIDs.map(\.rawValue).sorted()
            try await db.execute(
                """
                INSERT INTO order_item (item_id, order_id, kind)
                SELECT unnest(\(items)::bigint[]), \(order.id), \(order.kind.rawValue)
                """)
        }
    }
}
