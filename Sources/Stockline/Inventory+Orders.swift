public import Foundation
public import StocklineCore
import StocklineStore

extension Inventory {
    /// Adds a supplier or customer that orders can name.
    ///
    /// - Throws: `validation_failed` for a bad code or a negative lead time, `conflict` when the code is taken.
    @discardableResult
    public func addPartner(code: String, role: Partner.Role, name: String? = nil, leadDays: Int = 0) async throws
        -> Partner
    {
        let code = try MasterData.code(code, field: "code")
        if let name { try Identifier.validate(name, field: "name", kind: .text) }
        guard (0...3650).contains(leadDays) else {
            throw StockError.validationFailed(field: "lead_days", reason: "give 0 to 3650 days, not \(leadDays)")
        }
        let partner = Partner(code: code, role: role, name: name, leadDays: leadDays)
        try await store.addPartner(partner)
        return partner
    }

    /// Changes a partner's name or lead time (nil keeps it); orders already placed keep their dates.
    ///
    /// - Throws: `unknown_partner` when there is no such partner, `validation_failed` for a bad name or lead time.
    @discardableResult
    public func updatePartner(code: String, role: Partner.Role, name: String?, leadDays: Int?) async throws -> Partner {
        guard var partner = try await catalog().partner(code: code, role: role) else {
            throw StockError.unknownPartner(code, role: role)
        }
        if let name {
            try Identifier.validate(name, field: "name", kind: .text)
            partner.name = name
        }
        if let leadDays {
            guard (0...3650).contains(leadDays) else {
                throw StockError.validationFailed(field: "lead_days", reason: "give 0 to 3650 days, not \(leadDays)")
            }
            partner.leadDays = leadDays
        }
        guard try await store.updatePartner(partner) else { throw StockError.unknownPartner(code, role: role) }
        return partner
    }

    /// Says that warehouse `from` can supply `to`: stock shipped along the route in transit is expected `leadDays`
    /// later, and moving a unit costs `cost`. Setting it again replaces it.
    ///
    /// - Throws: `unknown_location` for an unknown warehouse code, `validation_failed` for a route to itself, a lead
    ///   time outside 0 to 3650 days or a negative cost.
    @discardableResult
    public func setRoute(from: String, to: String, leadDays: Int, cost: Money) async throws -> Route {
        let catalog = try await catalog()
        guard let source = catalog.warehouse(code: from) else { throw StockError.unknownLocation(from) }
        guard let destination = catalog.warehouse(code: to) else { throw StockError.unknownLocation(to) }
        guard source.id != destination.id else {
            throw StockError.validationFailed(field: "to", reason: "a route joins two different warehouses")
        }
        guard (0...3650).contains(leadDays) else {
            throw StockError.validationFailed(field: "lead_days", reason: "give 0 to 3650 days, not \(leadDays)")
        }
        guard !cost.isNegative, cost <= Fixed.maximumQuantity else {
            throw StockError.validationFailed(
                field: "cost", reason: "a cost per unit from 0 to \(Fixed.maximumQuantity)")
        }
        let route = Route(fromID: source.id, toID: destination.id, leadDays: leadDays, cost: cost)
        try await store.setRoute(route)
        return route
    }

    /// Sets what one unit of `sku` is made of, for its production orders; an empty list removes the bill.
    ///
    /// - Throws: `unknown_item` for an unknown SKU, `validation_failed` for a component listed twice, the item
    ///   itself, or a quantity that is not positive.
    @discardableResult
    public func setBill(sku: String, components: [(sku: String, quantity: Quantity)]) async throws -> Item {
        var bill: [Item.Component] = []
        for (index, line) in components.enumerated() {
            guard let component = try await item(sku: line.sku) else { throw StockError.unknownItem(sku: line.sku) }
            guard line.sku != sku, !bill.contains(where: { $0.itemID == component.id }) else {
                throw StockError.validationFailed(
                    field: "lines[\(index)].sku", reason: "\(line.sku) is the item itself or listed twice")
            }
            guard line.quantity.isPositive, line.quantity <= Fixed.maximumQuantity else {
                throw StockError.validationFailed(field: "lines[\(index)].qty", reason: "must be positive")
            }
            bill.append(Item.Component(itemID: component.id, sku: component.sku, quantity: line.quantity))
        }
        let set = bill.isEmpty ? nil : bill
        return try await updateItem(sku: sku) { item in
            var item = item
            item.bill = set
            return item
        }
    }

    /// The order `id` as it stands on `today` (default: the service's today).
    ///
    /// - Throws: `unknown_order` when no order has that id.
    public func order(id: String, today: Date? = nil) async throws -> OrderView {
        try Identifier.validate(id, field: "order", kind: .key)
        guard let order = try await store.order(id: id) else { throw StockError.unknownOrder(id) }
        return try await view(of: order, today: today ?? environment.now())
    }

    /// The newest orders of `kind`, as they stand on `today`.
    public func orders(kind: Order.Kind, limit: Int = 100, today: Date? = nil) async throws -> [OrderView] {
        var views: [OrderView] = []
        for order in try await store.orders(kind: kind, limit: max(1, min(limit, 1_000))) {
            views.append(try await view(of: order, today: today ?? environment.now()))
        }
        return views
    }

    func view(of order: Order, today: Date) async throws -> OrderView {
        let skus = Set(order.lines.map(\.sku) + (order.components ?? []).map(\.sku))
        let (catalog, books) = try await committer.pipeline.currentBooks(skus: skus)
        let state = LedgerState(
            catalog: catalog, loaded: books.values, ids: IDAllocator(nextMove: 0, nextLayer: 0, nextLot: 0))
        var reserved: [ItemID: Quantity] = [:]
        for item in order.itemIDs { reserved[item] = state.reserved(order: order.id, item: item) }
        return order.view(
            today: Day.start(of: today), warehouse: catalog.warehouses[order.warehouseID]?.code ?? "?",
            reserved: reserved)
    }

    /// The projected free quantity of `sku` at warehouse `at`, day by day from `today`, with what changes it.
    ///
    /// - Throws: `unknown_item`, or `unknown_location` when `at` is not a warehouse code.
    public func timeline(sku: String, at warehouse: String, today: Date? = nil) async throws -> Timeline {
        let state = try await snapshot(StateRequest(skus: [sku]))
        let itemID = try state.itemID(sku: sku)
        guard let found = state.catalog.warehouse(code: warehouse) else {
            throw StockError.unknownLocation("\(warehouse) is not a warehouse code")
        }
        return state.timeline(of: itemID, at: found, today: today ?? environment.now())
    }

    /// The earliest date `quantity` of `sku` can be promised at `warehouse` without taking it from an order
    /// already made, with the timeline that explains it; nil when no date can.
    public func promise(sku: String, quantity: Quantity, at warehouse: String, today: Date? = nil) async throws
        -> (date: Date?, timeline: Timeline)
    {
        guard quantity.isPositive, quantity <= Fixed.maximumQuantity else {
            throw StockError.invalidQuantity(sku: sku, quantity: quantity, reason: "must be positive")
        }
        let timeline = try await timeline(sku: sku, at: warehouse, today: today)
        return (timeline.promise(quantity), timeline)
    }
}
