public import Foundation
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
    public var attention: Attention

    public init(
        company: String, warehouse: String, kind: Warehouse.Kind, items: Int, position: StockPosition,
        attention: Attention = Attention()
    ) {
        self.company = company
        self.warehouse = warehouse
        self.kind = kind
        self.items = items
        self.position = position
        self.attention = attention
    }

    /// What needs someone's attention in a warehouse, counted in order lines and items.
    public struct Attention: Sendable, Hashable {
        /// Purchase-order lines with an open part expected before today.
        public var overdueLines = 0
        /// Sales-order lines with open quantity not reserved.
        public var backorderLines = 0
        /// Production-order components not reserved in full.
        public var shortfallLines = 0
        /// Items below zero on hand (warehouses that allow it).
        public var negativeItems = 0

        public init() {}

        public mutating func add(_ other: Attention) {
            overdueLines += other.overdueLines
            backorderLines += other.backorderLines
            shortfallLines += other.shortfallLines
            negativeItems += other.negativeItems
        }
    }
}

extension Inventory {
    /// Every warehouse's buckets, value and what needs attention on `today` (default: now), by company then
    /// warehouse code.
    public func overview(today: Date? = nil) async throws -> [WarehouseSummary] {
        let today = Day.start(of: today ?? environment.now())
        let catalog = try await catalog()
        var totals: [WarehouseID: (position: StockPosition, items: Int)] = [:]
        var attention: [WarehouseID: WarehouseSummary.Attention] = [:]
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
                if position.onHand.isNegative { attention[warehouse.id, default: .init()].negativeItems += 1 }
                totals[warehouse.id] = total
            }
            let item = book.book.item
            for order in book.orders.values where order.isOpen {
                // The order as its page shows it, this item's lines only: the other items' reservations are in
                // their own books.
                let view = order.view(
                    today: today, warehouse: "", reserved: [item.id: state.reserved(order: order.id, item: item.id)])
                var found = WarehouseSummary.Attention()
                for line in view.lines where line.sku == item.sku {
                    if line.overdue == true { found.overdueLines += 1 }
                    if (line.backorder ?? .zero).isPositive { found.backorderLines += 1 }
                    if (line.shortfall ?? .zero).isPositive { found.shortfallLines += 1 }
                }
                attention[order.warehouseID, default: .init()].add(found)
            }
        }
        var summaries: [WarehouseSummary] = []
        for warehouse in catalog.warehouses.values {
            let total = totals[warehouse.id] ?? (StockPosition(), 0)
            summaries.append(
                WarehouseSummary(
                    company: catalog.companies[warehouse.companyID]?.code ?? "?", warehouse: warehouse.code,
                    kind: warehouse.kind, items: total.items, position: total.position,
                    attention: attention[warehouse.id] ?? .init()))
        }
        return summaries.sorted { ($0.company, $0.warehouse) < ($1.company, $1.warehouse) }
    }
}
