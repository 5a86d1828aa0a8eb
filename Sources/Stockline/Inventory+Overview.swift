public import StocklineCore
import StocklineStore

/// One warehouse's stock in total: what the overview page shows per site.
public struct WarehouseSummary: Sendable, Hashable {
    public var company: String
    public var warehouse: String
    public var kind: Warehouse.Kind
    /// Items with stock on hand there.
    public var items: Int
    /// Base units summed over items, as the buckets add up; their value in the company's currency.
    public var position: StockPosition

    public init(company: String, warehouse: String, kind: Warehouse.Kind, items: Int, position: StockPosition) {
        self.company = company
        self.warehouse = warehouse
        self.kind = kind
        self.items = items
        self.position = position
    }
}

extension Inventory {
    /// Every warehouse's buckets and value over all items, by company then warehouse code.
    public func overview() async throws -> [WarehouseSummary] {
        let catalog = try await catalog()
        var totals: [WarehouseID: (position: StockPosition, items: Int)] = [:]
        // Each item's positions from a state of its own book alone, so the work grows with the items, not with the
        // items times every open move and order.
        let ids = IDAllocator(nextMove: 0, nextLayer: 0, nextLot: 0)
        let transitOwner = Dictionary(
            catalog.warehouses.values.map { ($0.transitLocationID, $0.id) }, uniquingKeysWith: { first, _ in first })
        let owner = { (id: LocationID) in catalog.locations[id]?.warehouseID ?? transitOwner[id] }
        try await forEachBook { _, book in
            let state = LedgerState(catalog: catalog, loaded: [book], ids: ids)
            // Only the warehouses the item has stock, moves or orders in can have a position other than zero.
            var touched = Set(book.book.quants.keys.compactMap { owner($0.locationID) })
            for move in book.moves.values {
                if let from = owner(move.fromID) { touched.insert(from) }
                if let to = owner(move.toID) { touched.insert(to) }
            }
            touched.formUnion(book.orders.values.map(\.warehouseID))
            for warehouse in catalog.warehouses.values where touched.contains(warehouse.id) {
                guard let root = catalog.locations[warehouse.rootLocationID] else { continue }
                let position = state.position(of: book.book.item.id, at: root)
                var total = totals[warehouse.id] ?? (StockPosition(), 0)
                total.position = total.position.adding(position)
                if position.onHand.isPositive { total.items += 1 }
                totals[warehouse.id] = total
            }
        }
        var summaries: [WarehouseSummary] = []
        for warehouse in catalog.warehouses.values {
            let total = totals[warehouse.id] ?? (StockPosition(), 0)
            summaries.append(
                WarehouseSummary(
                    company: catalog.companies[warehouse.companyID]?.code ?? "?", warehouse: warehouse.code,
                    kind: warehouse.kind, items: total.items, position: total.position))
        }
        return summaries.sorted { ($0.company, $0.warehouse) < ($1.company, $1.warehouse) }
    }
}
