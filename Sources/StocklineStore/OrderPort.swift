import Foundation
public import StocklineCore

/// What orders need of a store besides the posting pipeline, which writes them: partners, and orders by id.
public protocol OrderPort: Sendable {
    /// Adds a supplier or customer; `conflict` when the code is taken for that role.
    func addPartner(_ partner: Partner) async throws

    /// Changes a partner's name and lead time; false when there is no such partner.
    func updatePartner(_ partner: Partner) async throws -> Bool

    /// Adds or replaces the route from one warehouse to another.
    func setRoute(_ route: Route) async throws

    /// The order `id` as committed, open or not.
    func order(id: String) async throws -> Order?

    /// Orders of `kind`, newest first.
    func orders(kind: Order.Kind, limit: Int) async throws -> [Order]
}

/// Reads an order's stored body: an unreadable one is a corrupt row, never skipped.
func decodeOrder(_ body: String, id: String) throws -> Order {
    do {
        return try JSONDecoder().decode(Order.self, from: Data(body.utf8))
    } catch {
        throw StoreError.corrupt("order_document \(id): \(error)")
    }
}
