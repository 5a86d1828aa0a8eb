import Foundation
import PostgresNIO
public import StocklineCore

extension PostgresLedgerStore {
    public func moves(item: ItemID, limit: Int) async throws -> [Move] {
        try await transaction(.read) { db in
            try await Self.fetchMoves(
                db, "SELECT * FROM move WHERE item_id = \(item.rawValue) ORDER BY id DESC LIMIT \(Int64(max(1, limit)))"
            )
        }
    }

    public func events(after sequence: Int64, limit: Int) async throws -> [LedgerEvent] {
        try await transaction(.read) { db in
            try await db.rows(
                "SELECT * FROM event WHERE sequence > \(sequence) ORDER BY sequence LIMIT \(Int64(max(0, limit)))"
            ).map { row in
                LedgerEvent(
                    sequence: try row.get("sequence"), type: try row.get("type"),
                    subject: try row.get("subject"),
                    payload: try Self.decode([String: String].self, try row.get("payload")),
                    at: Date(timeIntervalSince1970: try row.get("at")))
            }
        }
    }

    public func totalValue(item: ItemID, company: CompanyID?) async throws -> Money {
        try await transaction(.read) { db in
            let query: PostgresQuery =
                if let company {
                    """
                    SELECT coalesce(sum(value), 0)::bigint FROM cost
                    WHERE item_id = \(item.rawValue) AND scope = 'company' AND company_id = \(company.rawValue)
                    """
                } else {
                    """
                    SELECT coalesce(sum(value), 0)::bigint FROM cost
                    WHERE item_id = \(item.rawValue) AND scope = 'company'
                    """
                }
            return Fixed(micros: try await db.value(query, as: Int64.self) ?? 0)
        }
    }

    public func counts() async throws -> StoreCounts {
        try await transaction(.read) { db in
            guard
                let row = try await db.rows(
                    """
                    SELECT (SELECT count(*) FROM item) AS items, (SELECT count(*) FROM move) AS moves,
                        (SELECT count(*) FROM posting) AS postings, (SELECT count(*) FROM event) AS events,
                        (SELECT count(*) FROM valuation_layer) AS layers
                    """
                ).first
            else { throw StoreError.corrupt("counting rows answered nothing") }
            return StoreCounts(
                items: try row.get("items"), moves: try row.get("moves"),
                postings: try row.get("postings"), events: try row.get("events"),
                layers: try row.get("layers"))
        }
    }

    /// The same checks, in the same order and with the same messages, as `SQLiteLedgerStore.verify`, read from one
    /// snapshot so postings committing meanwhile cannot show up as half-written.
    public func verify() async throws -> [String] {
        try await transaction(.read) { db in
            var problems: [String] = []
            func check(_ query: PostgresQuery, _ describe: (PostgresRandomAccessRow) throws -> String) async throws {
                problems += try await db.rows(query).map(describe)
            }
            func amount(_ row: PostgresRandomAccessRow, _ column: String) throws -> Fixed {
                Fixed(micros: try row.get(column))
            }
            try await check(
                """
                SELECT i.sku, sum(q.quantity)::bigint AS total FROM quant q JOIN item i ON i.id = q.item_id
                GROUP BY i.id, i.sku HAVING sum(q.quantity) != 0 ORDER BY i.id
                """
            ) { row in
                "conservation: \(try row.get("sku", as: String.self)) sums to \(try amount(row, "total")) over all "
                    + "locations, not 0"
            }
            try await check(
                """
                WITH replay AS (
                    SELECT item_id, location_id, lot_id, sum(quantity)::bigint AS quantity FROM (
                        SELECT item_id, to_id AS location_id, coalesce(lot_id, 0) AS lot_id, quantity FROM move
                        WHERE state = 'done'
                        UNION ALL
                        SELECT item_id, from_id, coalesce(lot_id, 0), -quantity FROM move WHERE state = 'done'
                    ) AS entry
                    GROUP BY item_id, location_id, lot_id)
                SELECT i.sku, l.path, r.lot_id, r.quantity AS replayed, coalesce(q.quantity, 0) AS stored
                FROM replay r JOIN item i ON i.id = r.item_id JOIN location l ON l.id = r.location_id
                LEFT JOIN quant q ON q.item_id = r.item_id AND q.location_id = r.location_id AND q.lot_id = r.lot_id
                WHERE coalesce(q.quantity, 0) != r.quantity
                UNION ALL
                SELECT i.sku, l.path, q.lot_id, 0::bigint, q.quantity FROM quant q JOIN item i ON i.id = q.item_id
                JOIN location l ON l.id = q.location_id
                WHERE q.quantity != 0 AND NOT EXISTS (
                    SELECT 1 FROM move m WHERE m.item_id = q.item_id AND m.state = 'done'
                    AND (m.to_id = q.location_id OR m.from_id = q.location_id) AND coalesce(m.lot_id, 0) = q.lot_id)
                """
            ) { row in
                "replay: \(try row.get("sku", as: String.self)) at \(try row.get("path", as: String.self)) lot "
                    + "\(try row.get("lot_id", as: Int64.self)): quant holds \(try amount(row, "stored")), moves give "
                    + "\(try amount(row, "replayed"))"
            }
            try await check(
                """
                SELECT i.sku, l.path, q.quantity, q.reserved FROM quant q JOIN item i ON i.id = q.item_id
                JOIN location l ON l.id = q.location_id WHERE q.reserved < 0 OR q.reserved > greatest(q.quantity, 0)
                """
            ) { row in
                "reservation: \(try row.get("sku", as: String.self)) at \(try row.get("path", as: String.self)) has "
                    + "\(try amount(row, "reserved")) reserved of \(try amount(row, "quantity"))"
            }
            try await check(
                """
                SELECT * FROM (
                    SELECT i.sku, l.path, q.reserved, coalesce((
                        SELECT sum(r.quantity) FROM reservation r JOIN move m ON m.id = r.move_id
                        WHERE m.item_id = q.item_id AND m.state = 'assigned' AND r.location_id = q.location_id
                            AND r.lot_id = q.lot_id), 0)::bigint AS claimed
                    FROM quant q JOIN item i ON i.id = q.item_id JOIN location l ON l.id = q.location_id
                ) AS claim WHERE reserved != claimed
                """
            ) { row in
                "reservation: \(try row.get("sku", as: String.self)) at \(try row.get("path", as: String.self)) marks "
                    + "\(try amount(row, "reserved")) reserved but open moves claim \(try amount(row, "claimed"))"
            }
            try await check(
                """
                SELECT i.sku, w.code, sum(q.quantity)::bigint AS total FROM quant q JOIN item i ON i.id = q.item_id
                JOIN location l ON l.id = q.location_id JOIN warehouse w ON w.id = l.warehouse_id
                WHERE l.usage = 'internal' AND NOT w.allow_negative AND q.quantity < 0
                GROUP BY q.item_id, q.location_id, q.lot_id, i.sku, w.code
                """
            ) { row in
                "negative stock: \(try row.get("sku", as: String.self)) is \(try amount(row, "total")) in "
                    + "\(try row.get("code", as: String.self)), which forbids negative stock"
            }
            try await check(
                """
                SELECT * FROM (
                    SELECT i.sku, c.code, k.value AS stored, coalesce((
                        SELECT sum(v.value) FROM valuation_layer v
                        WHERE v.item_id = k.item_id AND v.company_id = k.company_id), 0)::bigint AS layered
                    FROM cost k JOIN item i ON i.id = k.item_id JOIN company c ON c.id = k.company_id
                    WHERE k.scope = 'company'
                ) AS valuation WHERE stored != layered
                """
            ) { row in
                "valuation: \(try row.get("sku", as: String.self)) in \(try row.get("code", as: String.self)) is "
                    + "valued \(try amount(row, "stored")) but its layers sum to \(try amount(row, "layered"))"
            }
            try await check(
                """
                SELECT * FROM (
                    SELECT i.sku, c.code, k.quantity AS stored, coalesce((
                        SELECT sum(q.quantity) FROM quant q
                        JOIN location l ON l.id = q.location_id JOIN warehouse w ON w.id = l.warehouse_id
                        WHERE q.item_id = k.item_id AND w.company_id = k.company_id
                            AND l.usage IN ('internal', 'transit')), 0)::bigint AS counted
                    FROM cost k JOIN item i ON i.id = k.item_id JOIN company c ON c.id = k.company_id
                    WHERE k.scope = 'company'
                ) AS valuation WHERE stored != counted
                """
            ) { row in
                "valuation: \(try row.get("sku", as: String.self)) in \(try row.get("code", as: String.self)) values "
                    + "\(try amount(row, "stored")) units but \(try amount(row, "counted")) are in stock"
            }
            try await check(
                """
                SELECT i.sku, c.code, sum(v.remaining_quantity)::bigint AS layered, k.quantity AS stored
                FROM valuation_layer v
                JOIN cost k ON k.item_id = v.item_id AND k.company_id = v.company_id AND k.scope = 'company'
                JOIN company c ON c.id = v.company_id JOIN item i ON i.id = v.item_id
                WHERE c.costing = 'fifo' GROUP BY v.item_id, v.company_id, i.sku, c.code, k.quantity
                HAVING sum(v.remaining_quantity) - sum(v.short_quantity) != k.quantity
                """
            ) { row in
                "valuation: FIFO layers of \(try row.get("sku", as: String.self)) in "
                    + "\(try row.get("code", as: String.self)) hold \(try amount(row, "layered")) units, stock is "
                    + "\(try amount(row, "stored"))"
            }
            try await check(
                """
                SELECT a.sequence FROM event a WHERE a.sequence > 1
                AND NOT EXISTS (SELECT 1 FROM event b WHERE b.sequence = a.sequence - 1)
                """
            ) { row in "outbox: a gap before event \(try row.get("sequence", as: Int64.self))" }
            try await check(PostgresQuery(unsafeSQL: AccountingSQL.unbalancedEntries)) { row in
                AccountingSQL.unbalanced(key: try row.get("key"), balance: try amount(row, "balance"))
            }
            problems += AverageCostCheck.problems(
                try await db.rows(PostgresQuery(unsafeSQL: AverageCostCheck.query)).map { row in
                    AverageCostCheck.Row(
                        sku: try row.get("sku"), company: try row.get("code"), itemID: try row.get("item_id"),
                        companyID: try row.get("company_id"), quantity: try amount(row, "quantity"),
                        value: try amount(row, "value"),
                        unitCost: try row.get("unit_cost", as: Int64?.self).map(Fixed.init(micros:)),
                        scopeQuantity: try row.get("scope_quantity", as: Int64?.self).map(Fixed.init(micros:)),
                        shortQuantity: try amount(row, "short_quantity"), shortValue: try amount(row, "short_value"),
                        issues: try row.get("issues"))
                })
            var companies: [CompanyID: String] = [:]
            for row in try await db.rows("SELECT id, code FROM company") {
                companies[CompanyID(try row.get("id"))] = try row.get("code")
            }
            problems += try await Self.reconciliation(db).filter { !$0.agrees }.map {
                AccountingSQL.disagreement($0, company: companies[$0.companyID] ?? "\($0.companyID)")
            }
            return problems
        }
    }
}
