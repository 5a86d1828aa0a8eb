public import Foundation
public import StocklineCore
import StocklineStore

/// What an item page shows beyond the buckets: where its stock lies by lot, its open cost layers, and what
/// replaces it.
public struct ItemDetail: Sendable, Hashable {
    public struct Stock: Sendable, Hashable {
        public var location: String
        public var lot: String?
        public var expiry: Date?
        public var quantity: Quantity
        public var reserved: Quantity
    }

    public struct Layer: Sendable, Hashable {
        public var company: String
        /// The warehouse code, `transit to <code>`, or `company`.
        public var scope: String
        public var posting: Int64
        public var kind: ValuationLayer.Kind
        public var remaining: Quantity
        public var unitCost: Money
        public var value: Money
    }

    /// Stock in internal locations, by location then lot (earliest expiry first).
    public var stock: [Stock]
    /// Layers with quantity left (FIFO queues, shortfalls), oldest first.
    public var layers: [Layer]
    /// The successors, nearest first (A → B → C for A: [B, C]).
    public var successors: [String]
}

extension ItemDetail {
    /// The item's stock in the internal locations `keep` accepts, by location then lot (earliest expiry first).
    static func stock(of book: ItemBook, in catalog: Catalog, _ keep: (Location) -> Bool) -> [Stock] {
        book.quants.values.compactMap { quant -> Stock? in
            guard quant.quantity.isPositive, let location = catalog.locations[quant.key.locationID],
                location.isInternal, keep(location)
            else { return nil }
            let lot = quant.key.lotID.flatMap { book.lots[$0] }
            return Stock(
                location: location.path, lot: lot?.name, expiry: lot?.expiry, quantity: quant.quantity,
                reserved: quant.reserved)
        }
        .sorted {
            ($0.location, $0.expiry ?? .distantFuture, $0.lot ?? "")
                < ($1.location, $1.expiry ?? .distantFuture, $1.lot ?? "")
        }
    }
}

extension Inventory {
    /// - Throws: `StockError.unknownItem` for an unknown SKU.
    public func itemDetail(sku: String) async throws -> ItemDetail {
        let (catalog, books) = try await committer.pipeline.currentBooks(skus: [sku])
        guard let loaded = books.values.first(where: { $0.book.item.sku == sku }) else {
            throw StockError.unknownItem(sku: sku)
        }
        let book = loaded.book
        let stock = ItemDetail.stock(of: book, in: catalog) { _ in true }
        var layers: [ItemDetail.Layer] = []
        for (companyID, costs) in book.costs {
            let company = catalog.companies[companyID]?.code ?? "?"
            for layer in costs.layers.values where !layer.remainingQuantity.isZero || !layer.shortQuantity.isZero {
                let code = layer.scope.warehouseID.flatMap { catalog.warehouses[$0]?.code } ?? "?"
                let scope =
                    switch layer.scope {
                    case .company: "company"
                    case .warehouse: code
                    case .transit: "transit to \(code)"
                    }
                let short = !layer.shortQuantity.isZero
                layers.append(
                    .init(
                        company: company, scope: scope, posting: layer.postingID, kind: layer.kind,
                        remaining: short ? -layer.shortQuantity : layer.remainingQuantity, unitCost: layer.unitCost,
                        value: short ? -layer.shortValue : layer.remainingValue))
            }
        }
        var successors: [String] = []
        var next = book.item.successorID
        while let id = next, successors.count < 20, let successor = try await store.items(ids: [id]).first {
            successors.append(successor.sku)
            next = successor.successorID
        }
        return ItemDetail(stock: stock, layers: layers.sorted { $0.posting < $1.posting }, successors: successors)
    }
}
