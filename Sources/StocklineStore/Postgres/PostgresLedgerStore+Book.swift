import Foundation
import PostgresNIO
import StocklineCore

extension PostgresLedgerStore {
    /// Items' books and open moves in one round trip, a row per item: each table's rows come back as one JSON
    /// array column.
    static func loadBooksAndMoves(
        _ ids: [ItemID], lotNames: Set<String> = [], catalog: Catalog, db: PostgresSession
    ) async throws -> [ItemID: (ItemBook, [Move], version: Int64)] {
        guard !ids.isEmpty else { return [:] }
        var books: [ItemID: (ItemBook, [Move], version: Int64)] = [:]
        for row in try await db.rows(
            prepared: BookStatement(items: ids.map(\.rawValue), lotNames: lotNames.sorted()))
        {
            let id = ItemID(try row.get("id"))
            books[id] = try decodeBook(row, id: id, catalog: catalog)
        }
        return books
    }

    private static func decodeBook(_ row: PostgresRandomAccessRow, id: ItemID, catalog: Catalog) throws
        -> (ItemBook, [Move], version: Int64)
    {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        func rows<Row: Decodable>(_ column: String, as type: Row.Type) throws -> [Row] {
            try decoder.decode([Row].self, from: Data(try row.get(column, as: String.self).utf8))
        }
        var book = ItemBook(item: try decode(Item.self, try row.get("data")))
        for quant in try rows("quants", as: QuantRow.self) {
            let key = QuantKey(
                locationID: LocationID(quant.locationId), lotID: quant.lotId == 0 ? nil : LotID(quant.lotId))
            book.quants[key] = Quant(
                key: key, quantity: Fixed(micros: quant.quantity), reserved: Fixed(micros: quant.reserved),
                inSequence: quant.inSequence)
        }
        for lot in try rows("lots", as: LotRow.self) {
            book.lots[LotID(lot.id)] = Lot(
                id: LotID(lot.id), itemID: id, name: lot.name,
                expiry: lot.expiry.map { Date(timeIntervalSince1970: $0) })
        }
        for cost in try rows("costs", as: CostRow.self) {
            let companyID = CompanyID(cost.companyId)
            guard let company = catalog.companies[companyID] else { continue }
            var costs = book.costs[companyID] ?? CostBook(method: company.costing)
            let totals = CostTotals(
                quantity: Fixed(micros: cost.quantity), value: Fixed(micros: cost.value),
                unitCost: cost.unitCost.map(Fixed.init(micros:)))
            if let scope = scope(cost.scope, cost.scopeWarehouseId), scope != .company {
                costs.scopes[scope] = totals
            } else {
                costs.totals = totals
            }
            book.costs[companyID] = costs
        }
        for layer in try rows("layers", as: LayerRow.self).map { try $0.layer } {
            guard let company = catalog.companies[layer.companyID] else { continue }
            book.costs[layer.companyID, default: CostBook(method: company.costing)].layers[layer.id] = layer
        }
        return (book, try rows("moves", as: MoveRow.self).map { try $0.move }, try row.get("book_version"))
    }
}

/// The load of items' books, prepared once per connection: planning it cost more than running it.
private struct BookStatement: PostgresPreparedStatement {
    typealias Row = PostgresRow

    static let sql = """
        SELECT i.id, i.data, b.version AS book_version,
            (SELECT coalesce(json_agg(q), '[]') FROM (SELECT q.location_id, q.lot_id, q.quantity, q.reserved,
                q.in_sequence FROM quant q JOIN location l ON l.id = q.location_id
                WHERE q.item_id = i.id AND l.usage IN ('internal', 'transit')) q)::text AS quants,
            (SELECT coalesce(json_agg(x), '[]') FROM (SELECT id, name, expiry FROM lot WHERE item_id = i.id
                AND (name = ANY($2) OR id IN (SELECT q.lot_id FROM quant q JOIN location l ON l.id = q.location_id
                    WHERE q.item_id = i.id AND l.usage IN ('internal', 'transit')))) x)::text AS lots,
            (SELECT coalesce(json_agg(k), '[]') FROM (SELECT company_id, scope, scope_warehouse_id, quantity,
                value, unit_cost FROM cost WHERE item_id = i.id) k)::text AS costs,
            (SELECT coalesce(json_agg(v ORDER BY v.id), '[]') FROM valuation_layer v
                WHERE v.item_id = i.id AND (v.remaining_quantity != 0 OR v.short_quantity != 0))::text AS layers,
            (SELECT coalesce(json_agg(m ORDER BY m.id), '[]') FROM move m
                WHERE m.item_id = i.id AND m.state IN ('draft', 'confirmed', 'assigned'))::text AS moves
        FROM item i JOIN item_book b ON b.item_id = i.id WHERE i.id = ANY($1)
        """

    var items: [Int64]
    var lotNames: [String]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(items)
        bindings.append(lotNames)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

private struct QuantRow: Decodable {
    var locationId: Int64
    var lotId: Int64
    var quantity: Int64
    var reserved: Int64
    var inSequence: Int64
}

private struct LotRow: Decodable {
    var id: Int64
    var name: String
    var expiry: Double?
}

private struct CostRow: Decodable {
    var companyId: Int64
    var scope: String
    var scopeWarehouseId: Int64
    var quantity: Int64
    var value: Int64
    var unitCost: Int64?
}

private struct LayerRow: Decodable {
    var id: Int64
    var companyId: Int64
    var itemId: Int64
    var scope: String
    var scopeWarehouseId: Int64
    var postingId: Int64
    var moveId: Int64?
    var kind: String
    var quantity: Int64
    var value: Int64
    var unitCost: Int64
    var remainingQuantity: Int64
    var remainingValue: Int64
    var shortQuantity: Int64
    var shortValue: Int64
    var originId: Int64?
    var shipmentId: Int64?
    var account: String?

    var layer: ValuationLayer {
        get throws {
            ValuationLayer(
                id: LayerID(id), companyID: CompanyID(companyId), itemID: ItemID(itemId),
                scope: try PostgresLedgerStore.storedScope(scope, scopeWarehouseId), postingID: postingId,
                moveID: moveId.map(MoveID.init),
                kind: try stored(ValuationLayer.Kind.self, kind, in: "valuation_layer.kind"),
                quantity: Fixed(micros: quantity), value: Fixed(micros: value), unitCost: Fixed(micros: unitCost),
                remainingQuantity: Fixed(micros: remainingQuantity), remainingValue: Fixed(micros: remainingValue),
                shortQuantity: Fixed(micros: shortQuantity), shortValue: Fixed(micros: shortValue),
                originID: originId.map(LayerID.init), shipmentID: shipmentId,
                account: try PostgresLedgerStore.account(account, table: "valuation_layer", id: id))
        }
    }
}

private struct MoveRow: Decodable {
    var id: Int64
    var postingId: Int64
    var itemId: Int64
    var quantity: Int64
    var fromId: Int64
    var toId: Int64
    var lotId: Int64?
    var state: String
    var kind: String
    var plannedAt: Double
    var doneAt: Double?
    var reference: String?
    var originId: Int64?

    var move: Move {
        get throws {
            Move(
                id: MoveID(id), postingID: postingId, itemID: ItemID(itemId), quantity: Fixed(micros: quantity),
                fromID: LocationID(fromId), toID: LocationID(toId), lotID: lotId.map(LotID.init),
                state: try stored(Move.State.self, state, in: "move.state"),
                kind: try stored(OperationKind.self, kind, in: "move.kind"),
                plannedAt: Date(timeIntervalSince1970: plannedAt),
                doneAt: doneAt.map { Date(timeIntervalSince1970: $0) },
                reference: reference, originID: originId.map(MoveID.init))
        }
    }
}
