public import StocklineCore
import StocklineStore

extension Inventory {
    /// The buckets and value of many SKUs at a warehouse code or location path (nil: every warehouse), read in one
    /// snapshot: one round of queries instead of one per SKU, for dashboards and availability feeds.
    ///
    /// - Throws: `StockError.unknownItem` when a SKU is not known, `unknownLocation` for an unknown reference.
    public func positions(skus: [String], at reference: String? = nil) async throws -> [String: StockPosition] {
        guard !skus.isEmpty else { return [:] }
        let state = try await snapshot(StateRequest(skus: Set(skus)))
        let location = try reference.map { try state.catalog.readLocation($0) }
        let roots = state.catalog.warehouses.values.sorted { $0.id < $1.id }
            .compactMap { state.catalog.locations[$0.rootLocationID] }
        var positions: [String: StockPosition] = [:]
        positions.reserveCapacity(skus.count)
        for sku in skus {
            let itemID = try state.itemID(sku: sku)
            if let location {
                positions[sku] = state.position(of: itemID, at: location)
            } else {
                positions[sku] = roots.reduce(StockPosition()) { $0.adding(state.position(of: itemID, at: $1)) }
            }
        }
        return positions
    }
}
