public import StocklineCore
import StocklineStore

/// What a handheld needs of one warehouse to work offline: its items, where their stock lies, and its open orders.
public struct WarehouseStock: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var item: Item
        /// On hand per internal location path (and lot), with what of it is reserved.
        public var quants: [ItemDetail.Stock]
    }

    public var warehouse: String
    /// Internal locations of the warehouse, by path.
    public var locations: [String]
    /// Items stocked there or on one of its open orders, by SKU.
    public var items: [Entry]
    /// Its open purchase and sales orders, as they stand today.
    public var orders: [OrderView]
}

extension Inventory {
    /// The items, stock and open orders of warehouse `code`, read from the item books.
    ///
    /// - Throws: `StockError.unknownLocation` for an unknown warehouse.
    public func warehouseStock(_ code: String) async throws -> WarehouseStock {
        let catalog = try await catalog()
        guard let warehouse = catalog.warehouse(code: code) else { throw StockError.unknownLocation(code) }
        var entries: [WarehouseStock.Entry] = []
        var orders: [String: Order] = [:]
        try await forEachBook { _, loaded in
            let here = loaded.orders.values.filter { $0.warehouseID == warehouse.id && $0.isOpen }
            let quants = ItemDetail.stock(of: loaded.book, in: catalog) { $0.warehouseID == warehouse.id }
            guard !quants.isEmpty || !here.isEmpty else { return }
            for order in here where order.kind != .production { orders[order.id] = order }
            entries.append(.init(item: loaded.book.item, quants: quants))
        }
        var views: [OrderView] = []
        for order in orders.values.sorted(by: { $0.id < $1.id }) {
            views.append(try await view(of: order, today: environment.now()))
        }
        let locations = catalog.locations.values.filter { $0.isInternal && $0.warehouseID == warehouse.id }
            .map(\.path).sorted()
        return WarehouseStock(
            warehouse: code, locations: locations, items: entries.sorted { $0.item.sku < $1.item.sku }, orders: views)
    }

    /// Calls `visit` with every item's current book, a thousand items per read: work that grows with the items.
    func forEachBook(_ visit: (Catalog, LoadedBook) throws -> Void) async throws {
        var skus: [String] = []
        var cursor: ItemID?
        while true {
            let page = try await store.items(limit: 1_000, after: cursor)
            guard let last = page.last else { break }
            skus += page.map(\.sku)
            cursor = last.id
        }
        for chunk in stride(from: 0, to: skus.count, by: 1_000) {
            let (catalog, books) = try await committer.pipeline.currentBooks(
                skus: Set(skus[chunk..<min(chunk + 1_000, skus.count)]))
            for book in books.values { try visit(catalog, book) }
        }
    }
}
