import Foundation
public import StocklineCore
import StocklineStore

/// One thing a search found: an item, an order, a location with stock, or a lot or serial number in stock.
public struct SearchHit: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case item, order, location, lot }

    public var kind: Kind
    /// The item page to open (items and lots), else nil.
    public var sku: String?
    /// The order id or location path (orders and locations), else the lot name for lots.
    public var reference: String?
    public var text: String
}

extension Inventory {
    /// Finds `query` as a SKU, an order id, a warehouse code or location path, a GTIN (any length, compared as 14
    /// digits), a lot or serial number in stock, or part of a SKU or item name (case-insensitive), at most `limit`
    /// hits, exact ones first.
    public func search(_ query: String, limit: Int = 50) async throws -> [SearchHit] {
        let query = query.trimmingCharacters(in: .whitespaces)
        guard !query.isEmpty else { return [] }
        var hits: [SearchHit] = []
        let catalog = try await catalog()
        if let warehouse = catalog.warehouse(code: query)
            ?? catalog.location(path: query).flatMap({ location in
                location.isInternal ? location.warehouseID.flatMap { catalog.warehouses[$0] } : nil
            })
        {
            hits.append(.init(kind: .location, sku: nil, reference: query, text: "location in \(warehouse.code)"))
        }
        if (try? Identifier.validate(query, field: "order", kind: .key)) != nil,
            let order = try await store.order(id: query)
        {
            hits.append(
                .init(kind: .order, sku: nil, reference: order.id, text: "\(order.kind.rawValue) order \(order.id)"))
        }
        let digits = query.allSatisfy(\.isNumber) && [8, 12, 13, 14].contains(query.count)
        let needle = query.lowercased()
        var partial: [SearchHit] = []
        var cursor: ItemID?
        // An order id or a location is what was meant: no item needs reading.
        while hits.isEmpty {
            let page = try await store.items(limit: 1_000, after: cursor)
            guard let last = page.last else { break }
            for item in page {
                if item.sku == query || (digits && item.gtin.map { Self.gtin14($0) == Self.gtin14(query) } == true) {
                    hits.append(.init(kind: .item, sku: item.sku, reference: nil, text: item.name))
                } else if partial.count < limit,
                    item.sku.lowercased().contains(needle) || item.name.lowercased().contains(needle)
                {
                    partial.append(.init(kind: .item, sku: item.sku, reference: nil, text: item.name))
                }
            }
            cursor = last.id
        }
        if hits.isEmpty {
            try await forEachBook { catalog, loaded in
                let book = loaded.book
                for lot in book.lots.values where lot.name.lowercased() == needle {
                    let places = book.quants.values.filter { $0.key.lotID == lot.id && $0.quantity.isPositive }
                        .compactMap { catalog.locations[$0.key.locationID]?.path }
                    guard !places.isEmpty else { continue }
                    hits.append(
                        .init(
                            kind: .lot, sku: book.item.sku, reference: lot.name,
                            text: "\(book.item.tracking == .serial ? "serial" : "lot") \(lot.name) at "
                                + places.sorted().joined(separator: ", ")))
                }
            }
        }
        return Array((hits + partial).prefix(limit))
    }

    static func gtin14(_ text: String) -> String { String(repeating: "0", count: max(0, 14 - text.count)) + text }
}
