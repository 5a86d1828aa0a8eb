import Foundation
import GRDB
public import StocklineCore

extension SQLiteLedgerStore {
    public func moves(item: ItemID, limit: Int) async throws -> [Move] {
        try await pool.read { db in
            try Self.fetchMoves(db, "item_id = ? ORDER BY id DESC LIMIT ?", [item.rawValue, max(1, limit)])
        }
    }

    public func events(after sequence: Int64, limit: Int) async throws -> [LedgerEvent] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM event WHERE sequence > ? ORDER BY sequence LIMIT ?",
                arguments: [sequence, limit]
            ).map { row in
                LedgerEvent(
                    sequence: row["sequence"], type: row["type"], subject: row["subject"],
                    payload: try Self.decode([String: String].self, row["payload"]),
                    at: Date(timeIntervalSince1970: row["at"]))
            }
        }
    }

    public func totalValue(item: ItemID, company: CompanyID?) async throws -> Money {
        try await pool.read { db in
            Fixed(
                micros: try Int64.fetchOne(
                    db,
                    sql: """
                        SELECT coalesce(sum(value), 0) FROM cost WHERE item_id = ? AND scope = 'company' AND (? IS NULL OR company_id = ?)
                        """, arguments: [item.rawValue, company?.rawValue, company?.rawValue]) ?? 0)
        }
    }

    public func counts() async throws -> StoreCounts {
        try await pool.read { db in
            func count(_ table: String) throws -> Int {
                try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
            }
            return StoreCounts(
                items: try count("item"), moves: try count("move"), postings: try count("posting"),
                events: try count("event"), layers: try count("valuation_layer"))
        }
    }

    public func verify() async throws -> [String] {
        try await pool.read { db in
            var problems: [String] = []
            func check(_ sql: String, _ describe: (Row) -> String) throws {
                problems += try Row.fetchAll(db, sql: sql).map(describe)
            }
            try check(
                """
                SELECT i.sku, sum(q.quantity) AS total FROM quant q JOIN item i ON i.id = q.item_id
                GROUP BY q.item_id HAVING sum(q.quantity) != 0
                """
            ) { "conservation: \($0["sku"] as String) sums to \(Fixed(micros: $0["total"])) over all locations, not 0" }
            try check(
                """
                WITH replay AS (
                    SELECT item_id, location_id, lot_id, sum(quantity) AS quantity FROM (
                        SELECT item_id, to_id AS location_id, coalesce(lot_id, 0) AS lot_id, quantity FROM move WHERE state = 'done'
                        UNION ALL
                        SELECT item_id, from_id, coalesce(lot_id, 0), -quantity FROM move WHERE state = 'done')
                    GROUP BY item_id, location_id, lot_id)
                SELECT i.sku, l.path, r.lot_id, r.quantity AS replayed, coalesce(q.quantity, 0) AS stored
                FROM replay r JOIN item i ON i.id = r.item_id JOIN location l ON l.id = r.location_id
                LEFT JOIN quant q ON q.item_id = r.item_id AND q.location_id = r.location_id AND q.lot_id = r.lot_id
                WHERE coalesce(q.quantity, 0) != r.quantity
                UNION ALL
                SELECT i.sku, l.path, q.lot_id, 0, q.quantity FROM quant q JOIN item i ON i.id = q.item_id
                JOIN location l ON l.id = q.location_id
                WHERE q.quantity != 0 AND NOT EXISTS (SELECT 1 FROM move m WHERE m.item_id = q.item_id AND m.state = 'done'
                    AND (m.to_id = q.location_id OR m.from_id = q.location_id) AND coalesce(m.lot_id, 0) = q.lot_id)
                """
            ) { row in
                "replay: \(row["sku"] as String) at \(row["path"] as String) lot \(row["lot_id"] as Int64): quant holds \(Fixed(micros: row["stored"])), moves give \(Fixed(micros: row["replayed"]))"
            }
            try check(
                """
                SELECT i.sku, l.path, q.quantity, q.reserved FROM quant q JOIN item i ON i.id = q.item_id
                JOIN location l ON l.id = q.location_id WHERE q.reserved < 0 OR q.reserved > max(q.quantity, 0)
                """
            ) { row in
                "reservation: \(row["sku"] as String) at \(row["path"] as String) has \(Fixed(micros: row["reserved"])) reserved of \(Fixed(micros: row["quantity"]))"
            }
            try check(
                """
                SELECT i.sku, l.path, q.reserved, coalesce((SELECT sum(r.quantity) FROM reservation r JOIN move m ON m.id = r.move_id
                    WHERE m.item_id = q.item_id AND m.state = 'assigned' AND r.location_id = q.location_id AND r.lot_id = q.lot_id), 0) AS claimed
                FROM quant q JOIN item i ON i.id = q.item_id JOIN location l ON l.id = q.location_id WHERE q.reserved != claimed
                """
            ) { row in
                "reservation: \(row["sku"] as String) at \(row["path"] as String) marks \(Fixed(micros: row["reserved"])) reserved but open moves claim \(Fixed(micros: row["claimed"]))"
            }
            try check(
                """
                SELECT i.sku, w.code, sum(q.quantity) AS total FROM quant q JOIN item i ON i.id = q.item_id
                JOIN location l ON l.id = q.location_id JOIN warehouse w ON w.id = l.warehouse_id
                WHERE l.usage = 'internal' AND w.allow_negative = 0 AND q.quantity < 0 GROUP BY q.item_id, q.location_id, q.lot_id
                """
            ) { row in
                "negative stock: \(row["sku"] as String) is \(Fixed(micros: row["total"])) in \(row["code"] as String), which forbids negative stock"
            }
            try check(
                """
                SELECT i.sku, c.code, k.value AS stored, coalesce((SELECT sum(v.value) FROM valuation_layer v
                    WHERE v.item_id = k.item_id AND v.company_id = k.company_id), 0) AS layered
                FROM cost k JOIN item i ON i.id = k.item_id JOIN company c ON c.id = k.company_id
                WHERE k.scope = 'company' AND k.value != layered
                """
            ) { row in
                "valuation: \(row["sku"] as String) in \(row["code"] as String) is valued \(Fixed(micros: row["stored"])) but its layers sum to \(Fixed(micros: row["layered"]))"
            }
            try check(
                """
                SELECT i.sku, c.code, k.quantity AS stored, coalesce((SELECT sum(q.quantity) FROM quant q
                    JOIN location l ON l.id = q.location_id JOIN warehouse w ON w.id = l.warehouse_id
                    WHERE q.item_id = k.item_id AND w.company_id = k.company_id AND l.usage IN ('internal', 'transit')), 0) AS counted
                FROM cost k JOIN item i ON i.id = k.item_id JOIN company c ON c.id = k.company_id
                WHERE k.scope = 'company' AND k.quantity != counted
                """
            ) { row in
                "valuation: \(row["sku"] as String) in \(row["code"] as String) values \(Fixed(micros: row["stored"])) units but \(Fixed(micros: row["counted"])) are in stock"
            }
            try check(
                """
                SELECT i.sku, c.code, sum(v.remaining_quantity) AS layered, k.quantity AS stored FROM valuation_layer v
                JOIN cost k ON k.item_id = v.item_id AND k.company_id = v.company_id AND k.scope = 'company'
                JOIN company c ON c.id = v.company_id JOIN item i ON i.id = v.item_id
                WHERE c.costing = 'fifo' GROUP BY v.item_id, v.company_id
                HAVING sum(v.remaining_quantity) - sum(v.short_quantity) != k.quantity
                """
            ) { row in
                "valuation: FIFO layers of \(row["sku"] as String) in \(row["code"] as String) hold \(Fixed(micros: row["layered"])) units, stock is \(Fixed(micros: row["stored"]))"
            }
            try check(
                """
                SELECT a.sequence FROM event a WHERE a.sequence > 1
                AND NOT EXISTS (SELECT 1 FROM event b WHERE b.sequence = a.sequence - 1)
                """
            ) { "outbox: a gap before event \($0["sequence"] as Int64)" }
            try check(AccountingSQL.unbalancedEntries) { row in
                AccountingSQL.unbalanced(key: row["key"], balance: Fixed(micros: row["balance"]))
            }
            problems += AverageCostCheck.problems(
                try Row.fetchAll(db, sql: AverageCostCheck.query).map { row in
                    AverageCostCheck.Row(
                        sku: row["sku"], company: row["code"], itemID: row["item_id"], companyID: row["company_id"],
                        quantity: Fixed(micros: row["quantity"]), value: Fixed(micros: row["value"]),
                        unitCost: (row["unit_cost"] as Int64?).map(Fixed.init(micros:)),
                        scopeQuantity: (row["scope_quantity"] as Int64?).map(Fixed.init(micros:)),
                        shortQuantity: Fixed(micros: row["short_quantity"]),
                        shortValue: Fixed(micros: row["short_value"]),
                        issues: row["issues"])
                })
            let companies = Dictionary(
                uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT id, code FROM company").map {
                    (CompanyID($0["id"]), $0["code"] as String)
                })
            problems += try Self.reconciliation(db).filter { !$0.agrees }.map {
                AccountingSQL.disagreement($0, company: companies[$0.companyID] ?? "\($0.companyID)")
            }
            return problems
        }
    }
}
