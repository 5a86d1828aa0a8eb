public import StocklineCore
import StocklineStore

extension Inventory {
    /// The buckets and value of many SKUs at a warehouse code or location path (nil: every warehouse), read in one
    /// snapshot: one round of queries instead of one per SKU, for dashboards and availability feeds.
    ///
    /// - Throws: `StockError.unknownItem` when a SKU is not known, `unknownLocation` for an unknown reference.
    public func positions(skus: [String], at reference: String? = nil) async throws -> [String: StockPosition] {
        guard !skus.isEmpty else { return [:] }
        let (catalog, loaded) = try await committer.pipeline.currentBooks(skus: Set(skus))
        let location = try reference.map { try catalog.readLocation($0) }
        let roots = catalog.warehouses.values.sorted { $0.id < $1.id }.compactMap {
            catalog.locations[$0.rootLocationID]
        }
        let books = Dictionary(loaded.values.map { ($0.book.item.sku, $0) }) { first, _ in first }
        let ids = IDAllocator(nextMove: 0, nextLayer: 0, nextLot: 0)
        var positions: [String: StockPosition] = [:]
        positions.reserveCapacity(skus.count)
        for sku in skus {
            guard let book = books[sku] else { throw StockError.unknownItem(sku: sku) }
            // A state of the item's own book: the work grows with the SKUs asked for, not with them times every
            // other item's open moves and orders.
            let state = LedgerState(catalog: catalog, loaded: [book], ids: ids)
            let itemID = book.book.item.id
            if let location {
                positions[sku] = state.position(of: itemID, at: location)
            } else {
                positions[sku] = roots.reduce(StockPosition()) { $0.adding(state.position(of: itemID, at: $1)) }
            }
        }
        return positions
    }
}
