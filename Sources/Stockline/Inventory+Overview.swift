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
        var skus: [String] = []
        var cursor: ItemID?
        while true {
            let page = try await store.items(limit: 1_000, after: cursor)
            guard let last = page.last else { break }
            skus += page.map(\.sku)
            cursor = last.id
        }
        let catalog = try await catalog()
        var totals: [WarehouseID: (position: StockPosition, items: Int)] = [:]
        // One read of the books per thousand items, every warehouse's position computed from it.
        for chunk in stride(from: 0, to: skus.count, by: 1_000) {
            let state = try await snapshot(StateRequest(skus: Set(skus[chunk..<min(chunk + 1_000, skus.count)])))
            for warehouse in catalog.warehouses.values {
                guard let root = catalog.locations[warehouse.rootLocationID] else { continue }
                var total = totals[warehouse.id] ?? (StockPosition(), 0)
                for itemID in state.books.keys {
                    let position = state.position(of: itemID, at: root)
                    total.position = total.position.adding(position)
                    if position.onHand.isPositive { total.items += 1 }
                }
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
