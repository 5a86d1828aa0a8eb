import Foundation
import PostgresNIO
import StocklineCore

/// One statement assembled from parts, its values bound in order.
struct StatementBuilder {
    private var interpolation = PostgresQuery.StringInterpolation(literalCapacity: 4096, interpolationCount: 96)
    private var parts = 0

    mutating func sql(_ text: String) { interpolation.appendLiteral(text) }

    mutating func bind<Value: PostgresThrowingDynamicTypeEncodable>(_ value: Value) throws {
        try interpolation.appendInterpolation(value)
    }

    mutating func bind<Value: PostgresThrowingDynamicTypeEncodable>(_ value: Value?) throws {
        try interpolation.appendInterpolation(value)
    }

    /// `unnest($1::bigint[], $2::text[], …) AS x(a, b, …)`: one row per element, from one array per column.
    mutating func unnest(_ columns: [(String, any PostgresThrowingDynamicTypeEncodable, String)]) throws {
        sql(" unnest(")
        for (index, (_, values, type)) in columns.enumerated() {
            if index > 0 { sql(", ") }
            try bind(values)
            sql("::\(type)[]")
        }
        sql(") AS x(" + columns.map(\.0).joined(separator: ", ") + ")")
    }

    /// Opens the next data-modifying part of the `WITH` list.
    mutating func part(_ name: String) {
        sql(parts == 0 ? "WITH \(name) AS (" : "), \(name) AS (")
        parts += 1
    }

    var query: PostgresQuery { PostgresQuery(stringInterpolation: interpolation) }
}

extension PostgresLedgerStore {
    /// Writes a planned batch: its postings' rows and every change except events, in one statement of
    /// data-modifying parts (round trips, not rows, bound this store), then removes the quants it emptied.
    static func persist(_ batch: PlannedBatch, db: PostgresSession) async throws {
        var b = StatementBuilder()
        let postings = batch.postings
        b.part("posting_rows")
        b.sql(
            """
            INSERT INTO posting (id, key, kind, fingerprint, result, item_id, company_id, actor, source, reason,
                reference, created_at, token, request_id)
            SELECT id, key, kind, fingerprint, result, NULLIF(item_id, 0), NULLIF(company_id, 0), actor, source,
                CASE WHEN has_reason THEN reason END, CASE WHEN has_reference THEN reference END, created_at,
                CASE WHEN has_token THEN token END, CASE WHEN has_request_id THEN request_id END FROM
            """)
        try b.unnest([
            ("id", postings.map(\.id), "bigint"), ("key", postings.map(\.request.key), "text"),
            ("kind", postings.map(\.request.operation.kind.rawValue), "text"),
            ("fingerprint", postings.map(\.fingerprint), "text"), ("result", postings.map(\.result), "text"),
            ("item_id", postings.map { $0.itemID ?? 0 }, "bigint"),
            ("company_id", postings.map { $0.companyID ?? 0 }, "bigint"),
            ("actor", postings.map(\.request.actor), "text"), ("source", postings.map(\.request.source), "text"),
            ("has_reason", postings.map { $0.request.reason != nil }, "bool"),
            ("reason", postings.map { $0.request.reason ?? "" }, "text"),
            ("has_reference", postings.map { $0.request.reference != nil }, "bool"),
            ("reference", postings.map { $0.request.reference ?? "" }, "text"),
            ("created_at", postings.map(\.request.now.timeIntervalSince1970), "float8"),
            ("has_token", postings.map { $0.request.token != nil }, "bool"),
            ("token", postings.map { $0.request.token ?? "" }, "text"),
            ("has_request_id", postings.map { $0.request.requestID != nil }, "bool"),
            ("request_id", postings.map { $0.request.requestID ?? "" }, "text"),
        ])
        if !batch.lots.isEmpty {
            let lots = batch.lots
            b.part("lots")
            b.sql("INSERT INTO lot (id, item_id, name, expiry) SELECT id, item_id, name, NULLIF(expiry, 'NaN') FROM ")
            try b.unnest([
                ("id", lots.map(\.id.rawValue), "bigint"), ("item_id", lots.map(\.itemID.rawValue), "bigint"),
                ("name", lots.map(\.name), "text"),
                ("expiry", lots.map { $0.expiry?.timeIntervalSince1970 ?? .nan }, "float8"),
            ])
        }
        // Absent values travel as 0, NaN, '' or a flag, and come back as NULL: arrays cannot carry NULL here.
        let newMoves = batch.movesToInsert
        if !newMoves.isEmpty {
            b.part("moves")
            b.sql(
                """
                INSERT INTO move (id, posting_id, item_id, quantity, from_id, to_id, lot_id, state, kind, planned_at,
                    done_at, reference, origin_id)
                SELECT id, posting_id, item_id, quantity, from_id, to_id, NULLIF(lot_id, 0), state, kind, planned_at,
                    NULLIF(done_at, 'NaN'), CASE WHEN has_reference THEN reference END, NULLIF(origin_id, 0) FROM
                """)
            try b.unnest([
                ("id", newMoves.map(\.id.rawValue), "bigint"), ("posting_id", newMoves.map(\.postingID), "bigint"),
                ("item_id", newMoves.map(\.itemID.rawValue), "bigint"),
                ("quantity", newMoves.map(\.quantity.micros), "bigint"),
                ("from_id", newMoves.map(\.fromID.rawValue), "bigint"),
                ("to_id", newMoves.map(\.toID.rawValue), "bigint"),
                ("lot_id", newMoves.map { $0.lotID?.rawValue ?? 0 }, "bigint"),
                ("state", newMoves.map(\.state.rawValue), "text"), ("kind", newMoves.map(\.kind.rawValue), "text"),
                ("planned_at", newMoves.map(\.plannedAt.timeIntervalSince1970), "float8"),
                ("done_at", newMoves.map { $0.doneAt?.timeIntervalSince1970 ?? .nan }, "float8"),
                ("has_reference", newMoves.map { $0.reference != nil }, "bool"),
                ("reference", newMoves.map { $0.reference ?? "" }, "text"),
                ("origin_id", newMoves.map { $0.originID?.rawValue ?? 0 }, "bigint"),
            ])
        }
        let updatedMoves = batch.movesToUpdate
        if !updatedMoves.isEmpty {
            b.part("moves_changed")
            b.sql("UPDATE move m SET state = x.state, quantity = x.quantity, done_at = NULLIF(x.done_at, 'NaN') FROM ")
            try b.unnest([
                ("id", updatedMoves.map(\.id.rawValue), "bigint"),
                ("state", updatedMoves.map(\.state.rawValue), "text"),
                ("quantity", updatedMoves.map(\.quantity.micros), "bigint"),
                ("done_at", updatedMoves.map { $0.doneAt?.timeIntervalSince1970 ?? .nan }, "float8"),
            ])
            b.sql(" WHERE m.id = x.id")
        }
        let added = batch.layersToInsert
        if !added.isEmpty {
            let scopes = added.map { columns($0.scope) }
            b.part("layers")
            b.sql(
                """
                INSERT INTO valuation_layer (id, company_id, item_id, scope, scope_warehouse_id, posting_id, move_id,
                    kind, quantity, value, unit_cost, remaining_quantity, remaining_value, short_quantity, short_value,
                    origin_id, shipment_id, account)
                SELECT id, company_id, item_id, scope, scope_warehouse_id, posting_id, NULLIF(move_id, 0), kind,
                    quantity, value, unit_cost, remaining_quantity, remaining_value, short_quantity, short_value,
                    NULLIF(origin_id, 0), NULLIF(shipment_id, 0), NULLIF(account, '') FROM
                """)
            try b.unnest([
                ("id", added.map(\.id.rawValue), "bigint"), ("company_id", added.map(\.companyID.rawValue), "bigint"),
                ("item_id", added.map(\.itemID.rawValue), "bigint"), ("scope", scopes.map(\.0), "text"),
                ("scope_warehouse_id", scopes.map(\.1), "bigint"), ("posting_id", added.map(\.postingID), "bigint"),
                ("move_id", added.map { $0.moveID?.rawValue ?? 0 }, "bigint"),
                ("kind", added.map(\.kind.rawValue), "text"), ("quantity", added.map(\.quantity.micros), "bigint"),
                ("value", added.map(\.value.micros), "bigint"), ("unit_cost", added.map(\.unitCost.micros), "bigint"),
                ("remaining_quantity", added.map(\.remainingQuantity.micros), "bigint"),
                ("remaining_value", added.map(\.remainingValue.micros), "bigint"),
                ("short_quantity", added.map(\.shortQuantity.micros), "bigint"),
                ("short_value", added.map(\.shortValue.micros), "bigint"),
                ("origin_id", added.map { $0.originID?.rawValue ?? 0 }, "bigint"),
                ("shipment_id", added.map { $0.shipmentID ?? 0 }, "bigint"),
                ("account", added.map { $0.account?.rawValue ?? "" }, "text"),
            ])
        }
        let changedLayers = batch.layersToUpdate
        if !changedLayers.isEmpty {
            b.part("layers_changed")
            b.sql(
                """
                UPDATE valuation_layer v SET remaining_quantity = x.remaining_quantity,
                    remaining_value = x.remaining_value, short_quantity = x.short_quantity,
                    short_value = x.short_value, value = x.value FROM
                """)
            try b.unnest([
                ("id", changedLayers.map(\.id.rawValue), "bigint"),
                ("remaining_quantity", changedLayers.map(\.remainingQuantity.micros), "bigint"),
                ("remaining_value", changedLayers.map(\.remainingValue.micros), "bigint"),
                ("short_quantity", changedLayers.map(\.shortQuantity.micros), "bigint"),
                ("short_value", changedLayers.map(\.shortValue.micros), "bigint"),
                ("value", changedLayers.map(\.value.micros), "bigint"),
            ])
            b.sql(" WHERE v.id = x.id")
        }
        let uses = batch.layerUses
        if !uses.isEmpty {
            b.part("uses")
            b.sql(
                """
                INSERT INTO layer_use (posting_id, layer_id, origin_id, quantity, value, left_stock, account)
                SELECT posting_id, layer_id, NULLIF(origin_id, 0), quantity, value, left_stock, NULLIF(account, '')
                FROM
                """)
            try b.unnest([
                ("posting_id", uses.map(\.postingID), "bigint"), ("layer_id", uses.map(\.layerID.rawValue), "bigint"),
                ("origin_id", uses.map { $0.originID?.rawValue ?? 0 }, "bigint"),
                ("quantity", uses.map(\.quantity.micros), "bigint"), ("value", uses.map(\.value.micros), "bigint"),
                ("left_stock", uses.map(\.leftStock), "bool"),
                ("account", uses.map { $0.account?.rawValue ?? "" }, "text"),
            ])
        }
        let lines = batch.journal
        if !lines.isEmpty {
            b.part("journal")
            b.sql(
                """
                INSERT INTO journal_line (posting_id, line, company_id, item_id, warehouse_id, role, amount, at)
                SELECT posting_id, line, company_id, item_id, NULLIF(warehouse_id, 0), role, amount, at FROM
                """)
            try b.unnest([
                ("posting_id", lines.map(\.postingID), "bigint"), ("line", lines.map(\.line), "bigint"),
                ("company_id", lines.map(\.journalLine.companyID.rawValue), "bigint"),
                ("item_id", lines.map(\.journalLine.itemID.rawValue), "bigint"),
                ("warehouse_id", lines.map { $0.journalLine.warehouseID?.rawValue ?? 0 }, "bigint"),
                ("role", lines.map(\.journalLine.role.rawValue), "text"),
                ("amount", lines.map(\.journalLine.amount.micros), "bigint"),
                ("at", lines.map(\.at.timeIntervalSince1970), "float8"),
            ])
        }
        let costRows = batch.costRows.map { row in
            let (scope, warehouse) = columns(row.scope)
            return (
                item: row.itemID.rawValue, company: row.companyID.rawValue, scope: scope, warehouse: warehouse,
                totals: row.totals
            )
        }
        if !costRows.isEmpty {
            b.part("costs")
            // Int64.min marks "no unit cost": no posted figure can reach it.
            b.sql(
                """
                INSERT INTO cost (item_id, company_id, scope, scope_warehouse_id, quantity, value, unit_cost)
                SELECT item_id, company_id, scope, scope_warehouse_id, quantity, value,
                    NULLIF(unit_cost, -9223372036854775808) FROM
                """)
            try b.unnest([
                ("item_id", costRows.map(\.item), "bigint"), ("company_id", costRows.map(\.company), "bigint"),
                ("scope", costRows.map(\.scope), "text"), ("scope_warehouse_id", costRows.map(\.warehouse), "bigint"),
                ("quantity", costRows.map(\.totals.quantity.micros), "bigint"),
                ("value", costRows.map(\.totals.value.micros), "bigint"),
                ("unit_cost", costRows.map { $0.totals.unitCost?.micros ?? .min }, "bigint"),
            ])
            b.sql(
                """

                ON CONFLICT (item_id, company_id, scope, scope_warehouse_id)
                DO UPDATE SET quantity = excluded.quantity, value = excluded.value, unit_cost = excluded.unit_cost
                """)
        }
        let items = batch.changedItems
        if !items.isEmpty {
            b.part("items")
            b.sql("UPDATE item i SET data = x.data, lifecycle = x.lifecycle FROM ")
            try b.unnest([
                ("id", items.map(\.id.rawValue), "bigint"), ("data", try items.map { try json($0) }, "text"),
                ("lifecycle", items.map(\.lifecycle.rawValue), "text"),
            ])
            b.sql(" WHERE i.id = x.id")
        }
        // Quants last, in a fixed order; the statement answers the ones it emptied.
        let quants = batch.quantChanges.sorted { lhs, rhs in
            (lhs.0.itemID.rawValue, lhs.0.key.locationID.rawValue, lhs.0.key.lotID?.rawValue ?? 0)
                < (rhs.0.itemID.rawValue, rhs.0.key.locationID.rawValue, rhs.0.key.lotID?.rawValue ?? 0)
        }
        if quants.isEmpty {
            b.sql(") SELECT 0::bigint AS item_id, 0::bigint AS location_id, 0::bigint AS lot_id WHERE false")
        } else {
            b.part("quants")
            b.sql("INSERT INTO quant (item_id, location_id, lot_id, quantity, reserved, in_sequence) SELECT * FROM ")
            try b.unnest([
                ("item_id", quants.map(\.0.itemID.rawValue), "bigint"),
                ("location_id", quants.map(\.0.key.locationID.rawValue), "bigint"),
                ("lot_id", quants.map { $0.0.key.lotID?.rawValue ?? 0 }, "bigint"),
                ("quantity", quants.map(\.1.quantity.micros), "bigint"),
                ("reserved", quants.map(\.1.reserved.micros), "bigint"),
                ("in_sequence", quants.map(\.1.inSequence), "bigint"),
            ])
            b.sql(
                """

                ON CONFLICT (item_id, location_id, lot_id) DO UPDATE SET quantity = quant.quantity + excluded.quantity,
                    reserved = quant.reserved + excluded.reserved, in_sequence = excluded.in_sequence
                RETURNING item_id, location_id, lot_id, quantity, reserved
                ) SELECT item_id, location_id, lot_id FROM quants WHERE quantity = 0 AND reserved = 0
                """)
        }
        let emptied = try await db.rows(b.query)
        if !emptied.isEmpty {
            // An emptied quant goes, as in SQLite.
            let keys = try emptied.map {
                (
                    try $0.get("item_id", as: Int64.self), try $0.get("location_id", as: Int64.self),
                    try $0.get("lot_id", as: Int64.self)
                )
            }
            try await db.execute(
                """
                DELETE FROM quant q USING unnest(\(keys.map(\.0))::bigint[], \(keys.map(\.1))::bigint[],
                    \(keys.map(\.2))::bigint[]) AS x(item_id, location_id, lot_id)
                WHERE q.item_id = x.item_id AND q.location_id = x.location_id AND q.lot_id = x.lot_id
                    AND q.quantity = 0 AND q.reserved = 0
                """)
        }
        let reservations = batch.reservationChanges
        guard !reservations.isEmpty else { return }
        try await db.execute(
            "DELETE FROM reservation WHERE move_id = ANY(\(reservations.map(\.0.rawValue))::bigint[])")
        let reserved = reservations.flatMap { id, lines in lines.map { (id, $0) } }
        guard !reserved.isEmpty else { return }
        try await db.execute(
            """
            INSERT INTO reservation (move_id, location_id, lot_id, quantity)
            SELECT * FROM unnest(\(reserved.map(\.0.rawValue))::bigint[],
                \(reserved.map(\.1.key.locationID.rawValue))::bigint[],
                \(reserved.map { $0.1.key.lotID?.rawValue ?? 0 })::bigint[], \(reserved.map(\.1.quantity.micros))::bigint[])
            """)
    }
}
