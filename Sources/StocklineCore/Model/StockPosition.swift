/// The quantity buckets and value of one item at one place: a warehouse, a location subtree, or everywhere.
public struct StockPosition: Sendable, Hashable, Codable {
    public var onHand: Quantity = .zero
    public var blocked: Quantity = .zero
    public var reserved: Quantity = .zero
    public var inTransit: Quantity = .zero
    public var incoming: Quantity = .zero
    public var outgoing: Quantity = .zero
    public var value: Money = .zero
    public var unitCost: Money = .zero

    public init() {}

    /// What can still be promised.
    public var available: Quantity { onHand - blocked - reserved }

    enum CodingKeys: String, CodingKey {
        case onHand = "on_hand"
        case blocked, reserved, available
        case inTransit = "in_transit"
        case incoming, outgoing, value
        case unitCost = "unit_cost"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        onHand = try container.decode(Quantity.self, forKey: .onHand)
        blocked = try container.decode(Quantity.self, forKey: .blocked)
        reserved = try container.decode(Quantity.self, forKey: .reserved)
        inTransit = try container.decode(Quantity.self, forKey: .inTransit)
        incoming = try container.decode(Quantity.self, forKey: .incoming)
        outgoing = try container.decode(Quantity.self, forKey: .outgoing)
        value = try container.decode(Money.self, forKey: .value)
        unitCost = try container.decode(Money.self, forKey: .unitCost)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(onHand, forKey: .onHand)
        try container.encode(blocked, forKey: .blocked)
        try container.encode(reserved, forKey: .reserved)
        try container.encode(available, forKey: .available)
        try container.encode(inTransit, forKey: .inTransit)
        try container.encode(incoming, forKey: .incoming)
        try container.encode(outgoing, forKey: .outgoing)
        try container.encode(value, forKey: .value)
        try container.encode(unitCost, forKey: .unitCost)
    }
}

extension LedgerState {
    /// The position of an item at `location` and everything below it (a warehouse's root covers the warehouse).
    ///
    /// `in_transit` counts shipments towards the warehouses inside `location`; value follows the company's method.
    public func position(of itemID: ItemID, at location: Location, lot: LotID? = nil) -> StockPosition {
        var position = StockPosition()
        guard let book = books[itemID] else { return position }
        let inside: (LocationID) -> Bool = { id in
            guard let candidate = catalog.locations[id] else { return false }
            return candidate.isInternal && location.contains(candidate)
        }
        let warehouses = catalog.warehouses.values.filter { warehouse in
            catalog.locations[warehouse.rootLocationID].map { location.contains($0) } ?? false
        }
        let qcLocations =
            warehouses.compactMap { catalog.locations[$0.qcLocationID] }
            + catalog.warehouses.values.compactMap { catalog.locations[$0.qcLocationID] }.filter {
                location.contains($0) || $0.contains(location)
            }
        var perWarehouse: [WarehouseID: Quantity] = [:]
        for quant in book.quants.values where lot == nil || quant.key.lotID == lot {
            if inside(quant.key.locationID), let at = catalog.locations[quant.key.locationID] {
                position.onHand += quant.quantity
                position.reserved += quant.reserved
                if qcLocations.contains(where: { $0.contains(at) }) { position.blocked += quant.quantity }
                if let warehouseID = at.warehouseID { perWarehouse[warehouseID, default: .zero] += quant.quantity }
            } else if warehouses.contains(where: { $0.transitLocationID == quant.key.locationID }) {
                position.inTransit += quant.quantity
            }
        }
        for move in moves.values where move.itemID == itemID && move.isOpen && (lot == nil || move.lotID == lot) {
            let into = inside(move.toID), outOf = inside(move.fromID)
            if into && !outOf { position.incoming += move.quantity }
            if outOf && !into { position.outgoing += move.quantity }
        }
        // Open purchase quantity is incoming; backorders are outgoing (what is reserved already is, as moves).
        for order in orders.values
        where lot == nil && order.isOpen && warehouses.contains(where: { $0.id == order.warehouseID }) {
            for line in order.lines where line.itemID == itemID {
                switch order.kind {
                case .purchase: position.incoming += line.open
                case .sales: position.outgoing += max(.zero, line.open - reserved(order: order.id, item: itemID))
                case .production: position.incoming += line.open
                }
            }
            for (component, required) in order.required where component.itemID == itemID {
                position.outgoing += max(.zero, required - reserved(order: order.id, item: itemID))
            }
        }
        for (warehouseID, quantity) in perWarehouse {
            guard let warehouse = catalog.warehouses[warehouseID], let costs = book.costs[warehouse.companyID] else {
                continue
            }
            let wholeWarehouse = warehouses.contains { $0.id == warehouseID } && lot == nil
            if costs.method == .fifo && !wholeWarehouse {
                let total = book.quants.values.filter { quant in
                    catalog.locations[quant.key.locationID].map { $0.isInternal && $0.warehouseID == warehouseID }
                        ?? false
                }.reduce(Quantity.zero) { $0 + $1.quantity }
                position.value += costs.value(at: .warehouse(warehouseID), quantity: total).scaled(
                    by: quantity, over: total)
            } else {
                position.value += costs.value(at: .warehouse(warehouseID), quantity: quantity)
            }
        }
        if !position.onHand.isZero {
            position.unitCost = position.value.divided(by: position.onHand)
        } else {
            let warehouse = warehouses.first ?? location.warehouseID.flatMap { catalog.warehouses[$0] }
            if let warehouse, let company = catalog.companies[warehouse.companyID] {
                let costs = book.costs[company.id] ?? CostBook(method: company.costing)
                position.unitCost = costs.currentUnitCost(at: warehouse.id, item: book.item)
            }
        }
        return position
    }
}
