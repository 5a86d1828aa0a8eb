import Foundation
import PostgresNIO
import StocklineCore

/// The posting row a successful request adds.
struct PostingRow {
    var id: Int64
    var request: PostingRequest
    var fingerprint: String
    var result: String
    var itemID: Int64?
    var companyID: Int64?
}

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

    /// Opens the next data-modifying part of the `WITH` list.
    mutating func part(_ name: String) {
        sql(parts == 0 ? "WITH \(name) AS (" : "), \(name) AS (")
        parts += 1
    }

    var query: PostgresQuery { PostgresQuery(stringInterpolation: interpolation) }
}

extension PostgresLedgerStore {
    /// Writes a posting: its row and every change of `state` except events, in one statement of data-modifying
    /// parts (round trips, not rows, bound this store), then removes the quants it emptied.
    static func persist(_ state: LedgerState, posting: PostingRow, db: PostgresSession) async throws {
        let changes = state.changes
        var b = StatementBuilder()
        let request = posting.request
        b.part("posting_row")
        b.sql(
            """
            INSERT INTO posting (id, key, kind, fingerprint, result, item_id, company_id, actor, source, reason,
                reference, created_at, token, request_id) VALUES (
            """)
        try b.bind(posting.id)
        for text in [request.key, request.operation.kind.rawValue, posting.fingerprint, posting.result] {
            b.sql(", ")
            try b.bind(text)
        }
        b.sql(", ")
        try b.bind(posting.itemID)
        b.sql(", ")
        try b.bind(posting.companyID)
        for text in [request.actor, request.source] {
            b.sql(", ")
            try b.bind(text)
        }
        for text in [request.reason, request.reference] {
            b.sql(", ")
            try b.bind(text)
        }
        b.sql(", ")
        try b.bind(request.now.timeIntervalSince1970)
        for text in [request.token, request.requestID] {
            b.sql(", ")
            try b.bind(text)
        }
        b.sql(")")
        if !changes.newLots.isEmpty {
            let lots = changes.newLots
            b.part("lots")
            b.sql(
                "INSERT INTO lot (id, item_id, name, expiry) SELECT id, item_id, name, NULLIF(expiry, 'NaN') FROM unnest("
            )
            try b.bind(lots.map(\.id.rawValue))
            b.sql("::bigint[], ")
            try b.bind(lots.map(\.itemID.rawValue))
            b.sql("::bigint[], ")
            try b.bind(lots.map(\.name))
            b.sql("::text[], ")
            try b.bind(lots.map { $0.expiry?.timeIntervalSince1970 ?? .nan })
            b.sql("::float8[]) AS x(id, item_id, name, expiry)")
        }
        let inserted = Set(changes.newMoves)
        let newMoves = changes.newMoves.compactMap { state.moves[$0] }
        if !newMoves.isEmpty {
            b.part("moves")
            b.sql(
                """
                INSERT INTO move (id, posting_id, item_id, quantity, from_id, to_id, lot_id, state, kind, planned_at,
                    done_at, reference, origin_id)
                SELECT id, posting_id, item_id, quantity, from_id, to_id, NULLIF(lot_id, 0), state, kind, planned_at,
                    NULLIF(done_at, 'NaN'), CASE WHEN has_reference THEN reference END, NULLIF(origin_id, 0)
                FROM unnest(
                """)
            try b.bind(newMoves.map(\.id.rawValue))
            b.sql("::bigint[], ")
            try b.bind(newMoves.map(\.postingID))
            b.sql("::bigint[], ")
            try b.bind(newMoves.map(\.itemID.rawValue))
            b.sql("::bigint[], ")
            try b.bind(newMoves.map(\.quantity.micros))
            b.sql("::bigint[], ")
            try b.bind(newMoves.map(\.fromID.rawValue))
            b.sql("::bigint[], ")
            try b.bind(newMoves.map(\.toID.rawValue))
            b.sql("::bigint[], ")
            try b.bind(newMoves.map { $0.lotID?.rawValue ?? 0 })
            b.sql("::bigint[], ")
            try b.bind(newMoves.map(\.state.rawValue))
            b.sql("::text[], ")
            try b.bind(newMoves.map(\.kind.rawValue))
            b.sql("::text[], ")
            try b.bind(newMoves.map(\.plannedAt.timeIntervalSince1970))
            b.sql("::float8[], ")
            try b.bind(newMoves.map { $0.doneAt?.timeIntervalSince1970 ?? .nan })
            b.sql("::float8[], ")
            try b.bind(newMoves.map { $0.reference != nil })
            b.sql("::bool[], ")
            try b.bind(newMoves.map { $0.reference ?? "" })
            b.sql("::text[], ")
            try b.bind(newMoves.map { $0.originID?.rawValue ?? 0 })
            b.sql(
                """
                ::bigint[]) AS x(id, posting_id, item_id, quantity, from_id, to_id, lot_id, state, kind, planned_at,
                    done_at, has_reference, reference, origin_id)
                """)
        }
        let updatedMoves = changes.updatedMoves.sorted().filter { !inserted.contains($0) }.compactMap {
            state.moves[$0]
        }
        if !updatedMoves.isEmpty {
            b.part("moves_changed")
            b.sql(
                """
                UPDATE move m SET state = x.state, quantity = x.quantity, done_at = NULLIF(x.done_at, 'NaN')
                FROM unnest(
                """)
            try b.bind(updatedMoves.map(\.id.rawValue))
            b.sql("::bigint[], ")
            try b.bind(updatedMoves.map(\.state.rawValue))
            b.sql("::text[], ")
            try b.bind(updatedMoves.map(\.quantity.micros))
            b.sql("::bigint[], ")
            try b.bind(updatedMoves.map { $0.doneAt?.timeIntervalSince1970 ?? .nan })
            b.sql("::float8[]) AS x(id, state, quantity, done_at) WHERE m.id = x.id")
        }
        var layers: [LayerID: ValuationLayer] = [:]
        for book in state.books.values { for costs in book.costs.values { layers.merge(costs.layers) { a, _ in a } } }
        let newLayerIDs = Set(changes.newLayers)
        let added = changes.newLayers.compactMap { layers[$0] }
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
                    NULLIF(origin_id, 0), NULLIF(shipment_id, 0), NULLIF(account, '')
                FROM unnest(
                """)
            try b.bind(added.map(\.id.rawValue))
            b.sql("::bigint[], ")
            try b.bind(added.map(\.companyID.rawValue))
            b.sql("::bigint[], ")
            try b.bind(added.map(\.itemID.rawValue))
            b.sql("::bigint[], ")
            try b.bind(scopes.map(\.0))
            b.sql("::text[], ")
            try b.bind(scopes.map(\.1))
            b.sql("::bigint[], ")
            try b.bind(added.map(\.postingID))
            b.sql("::bigint[], ")
            try b.bind(added.map { $0.moveID?.rawValue ?? 0 })
            b.sql("::bigint[], ")
            try b.bind(added.map(\.kind.rawValue))
            b.sql("::text[], ")
            for column in [
                added.map(\.quantity.micros), added.map(\.value.micros), added.map(\.unitCost.micros),
                added.map(\.remainingQuantity.micros), added.map(\.remainingValue.micros),
                added.map(\.shortQuantity.micros), added.map(\.shortValue.micros),
                added.map { $0.originID?.rawValue ?? 0 }, added.map { $0.shipmentID ?? 0 },
            ] {
                try b.bind(column)
                b.sql("::bigint[], ")
            }
            try b.bind(added.map { $0.account?.rawValue ?? "" })
            b.sql(
                """
                ::text[]) AS x(id, company_id, item_id, scope, scope_warehouse_id, posting_id, move_id, kind, quantity,
                    value, unit_cost, remaining_quantity, remaining_value, short_quantity, short_value, origin_id,
                    shipment_id, account)
                """)
        }
        let changedLayers = changes.updatedLayers.sorted().filter { !newLayerIDs.contains($0) }.compactMap {
            layers[$0]
        }
        if !changedLayers.isEmpty {
            b.part("layers_changed")
            b.sql(
                """
                UPDATE valuation_layer v SET remaining_quantity = x.remaining_quantity,
                    remaining_value = x.remaining_value, short_quantity = x.short_quantity,
                    short_value = x.short_value, value = x.value
                FROM unnest(
                """)
            try b.bind(changedLayers.map(\.id.rawValue))
            for column in [
                changedLayers.map(\.remainingQuantity.micros), changedLayers.map(\.remainingValue.micros),
                changedLayers.map(\.shortQuantity.micros), changedLayers.map(\.shortValue.micros),
                changedLayers.map(\.value.micros),
            ] {
                b.sql("::bigint[], ")
                try b.bind(column)
            }
            b.sql(
                """
                ::bigint[]) AS x(id, remaining_quantity, remaining_value, short_quantity, short_value, value)
                WHERE v.id = x.id
                """)
        }
        let uses = changes.layerUses
        if !uses.isEmpty {
            b.part("uses")
            b.sql(
                """
                INSERT INTO layer_use (posting_id, layer_id, origin_id, quantity, value, left_stock, account)
                SELECT posting_id, layer_id, NULLIF(origin_id, 0), quantity, value, left_stock, NULLIF(account, '')
                FROM unnest(
                """)
            for column in [
                uses.map(\.postingID), uses.map(\.layerID.rawValue), uses.map { $0.originID?.rawValue ?? 0 },
                uses.map(\.quantity.micros), uses.map(\.value.micros),
            ] {
                try b.bind(column)
                b.sql("::bigint[], ")
            }
            try b.bind(uses.map(\.leftStock))
            b.sql("::bool[], ")
            try b.bind(uses.map { $0.account?.rawValue ?? "" })
            b.sql("::text[]) AS x(posting_id, layer_id, origin_id, quantity, value, left_stock, account)")
        }
        let lines = changes.journal.flatMap { entry in entry.lines.map { (entry, $0) } }
        if !lines.isEmpty {
            b.part("journal")
            b.sql(
                """
                INSERT INTO journal_line (posting_id, line, company_id, item_id, warehouse_id, role, amount, at)
                SELECT posting_id, line, company_id, item_id, NULLIF(warehouse_id, 0), role, amount, at
                FROM unnest(
                """)
            for column in [
                lines.map(\.0.postingID), Array(1...Int64(lines.count)), lines.map(\.1.companyID.rawValue),
                lines.map(\.1.itemID.rawValue), lines.map { $0.1.warehouseID?.rawValue ?? 0 },
            ] {
                try b.bind(column)
                b.sql("::bigint[], ")
            }
            try b.bind(lines.map(\.1.role.rawValue))
            b.sql("::text[], ")
            try b.bind(lines.map(\.1.amount.micros))
            b.sql("::bigint[], ")
            try b.bind(lines.map(\.0.at.timeIntervalSince1970))
            b.sql("::float8[]) AS x(posting_id, line, company_id, item_id, warehouse_id, role, amount, at)")
        }
        var costRows: [(item: Int64, company: Int64, scope: String, warehouse: Int64, totals: CostTotals)] = []
        for ref in changes.costs.sorted(by: { ($0.itemID, $0.companyID) < ($1.itemID, $1.companyID) }) {
            guard let book = state.books[ref.itemID]?.costs[ref.companyID] else { continue }
            let scoped = book.scopes.filter { $0.key != .company }.sorted { columns($0.key) < columns($1.key) }
            for (scope, totals) in [(CostScope.company, book.totals)] + scoped.map({ ($0.key, $0.value) }) {
                let (name, warehouse) = columns(scope)
                costRows.append((ref.itemID.rawValue, ref.companyID.rawValue, name, warehouse, totals))
            }
        }
        if !costRows.isEmpty {
            // Int64.min marks "no unit cost": no posted figure can reach it.
            b.part("costs")
            b.sql(
                """
                INSERT INTO cost (item_id, company_id, scope, scope_warehouse_id, quantity, value, unit_cost)
                SELECT item_id, company_id, scope, scope_warehouse_id, quantity, value,
                    NULLIF(unit_cost, -9223372036854775808)
                FROM unnest(
                """)
            try b.bind(costRows.map(\.item))
            b.sql("::bigint[], ")
            try b.bind(costRows.map(\.company))
            b.sql("::bigint[], ")
            try b.bind(costRows.map(\.scope))
            b.sql("::text[], ")
            for column in [
                costRows.map(\.warehouse), costRows.map(\.totals.quantity.micros), costRows.map(\.totals.value.micros),
            ] {
                try b.bind(column)
                b.sql("::bigint[], ")
            }
            try b.bind(costRows.map { $0.totals.unitCost?.micros ?? .min })
            b.sql(
                """
                ::bigint[]) AS x(item_id, company_id, scope, scope_warehouse_id, quantity, value, unit_cost)
                ON CONFLICT (item_id, company_id, scope, scope_warehouse_id)
                DO UPDATE SET quantity = excluded.quantity, value = excluded.value, unit_cost = excluded.unit_cost
                """)
        }
        let items = changes.items.sorted().compactMap { state.books[$0]?.item }
        if !items.isEmpty {
            b.part("items")
            b.sql("UPDATE item i SET data = x.data, lifecycle = x.lifecycle FROM unnest(")
            try b.bind(items.map(\.id.rawValue))
            b.sql("::bigint[], ")
            try b.bind(try items.map { try json($0) })
            b.sql("::text[], ")
            try b.bind(items.map(\.lifecycle.rawValue))
            b.sql("::text[]) AS x(id, data, lifecycle) WHERE i.id = x.id")
        }
        // Quants last, in a fixed order; the statement answers the ones it emptied.
        let quants = changes.quants.sorted { lhs, rhs in
            (lhs.key.itemID.rawValue, lhs.key.key.locationID.rawValue, lhs.key.key.lotID?.rawValue ?? 0)
                < (rhs.key.itemID.rawValue, rhs.key.key.locationID.rawValue, rhs.key.key.lotID?.rawValue ?? 0)
        }
        if quants.isEmpty {
            b.sql(") SELECT 0::bigint AS item_id, 0::bigint AS location_id, 0::bigint AS lot_id WHERE false")
        } else {
            b.part("quants")
            b.sql(
                """
                INSERT INTO quant (item_id, location_id, lot_id, quantity, reserved, in_sequence)
                SELECT * FROM unnest(
                """)
            for column in [
                quants.map(\.key.itemID.rawValue), quants.map(\.key.key.locationID.rawValue),
                quants.map { $0.key.key.lotID?.rawValue ?? 0 }, quants.map(\.value.quantity.micros),
                quants.map(\.value.reserved.micros),
            ] {
                try b.bind(column)
                b.sql("::bigint[], ")
            }
            try b.bind(quants.map(\.value.inSequence))
            b.sql(
                """
                ::bigint[])
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
        for id in changes.reservations.sorted() {
            try await db.execute("DELETE FROM reservation WHERE move_id = \(id.rawValue)")
            let lines = (state.reservations[id] ?? []).filter { $0.quantity.isPositive }
            guard !lines.isEmpty else { continue }
            try await db.execute(
                """
                INSERT INTO reservation (move_id, location_id, lot_id, quantity)
                SELECT \(id.rawValue), * FROM unnest(\(lines.map(\.key.locationID.rawValue))::bigint[],
                    \(lines.map { $0.key.lotID?.rawValue ?? 0 })::bigint[], \(lines.map(\.quantity.micros))::bigint[])
                """)
        }
    }
}
