import Foundation

/// Orders: purchase orders and their ASNs and receipts, sales orders and their allocation, closing.
extension Planner {
    var today: Date { Day.start(of: context.now) }

    mutating func purchaseOrder(_ op: StockOperation.PurchaseOrder) throws(StockError) {
        let supplier = try state.catalog.partner(op.supplier, as: .supplier)
        let (_, warehouse, _) = try stockLocation(op.at)
        let orderDate = try plannedDate(op.expected, field: "expected")
        var lines: [Order.Line] = []
        for (index, line) in try nonEmpty(op.lines).enumerated() {
            let item = try item(line.sku)
            try requireActive(item)
            guard !lines.contains(where: { $0.itemID == item.id }) else {
                throw .validationFailed(field: "lines[\(index)].sku", reason: "\(item.sku) is on the order twice")
            }
            let quantity = try quantity(line.qty, uom: line.uom, of: item)
            let terms = item.suppliers.first { $0.code == supplier.code }
            guard let unitCost = line.unitCost ?? terms?.price else {
                throw .invalidState(
                    "\(item.sku) has no price from \(supplier.code): give the line a unit_cost or the item terms")
            }
            _ = try value(of: quantity, at: unitCost, currency: nil, rate: nil, company: try company(of: warehouse))
            let expected =
                try plannedDate(line.expected, field: "lines[\(index)].expected") ?? orderDate
                ?? Day.adding(terms?.leadTimeDays ?? supplier.leadDays, to: today)
            lines.append(
                Order.Line(
                    itemID: item.id, sku: item.sku, ordered: quantity, unitCost: unitCost,
                    parts: [Order.Part(quantity: quantity, expected: Day.start(of: expected))]))
        }
        record(
            Order(
                id: context.key, kind: .purchase, partner: supplier.code, warehouseID: warehouse.id,
                created: context.now, lines: lines), "created")
        result.quantity = lines.reduce(.zero) { $0 + $1.ordered }
    }

    mutating func asn(_ op: StockOperation.ASN) throws(StockError) {
        var order = try openOrder(op.po, .purchase)
        guard let expected = try plannedDate(op.expected, field: "expected") else { return }
        for line in try nonEmpty(op.lines) {
            let index = try lineIndex(of: line.sku, on: order)
            let quantity = try quantity(line.qty, uom: line.uom, of: try item(line.sku))
            let unnoted = order.lines[index].parts.filter { !$0.noted }.reduce(Quantity.zero) { $0 + $1.quantity }
            guard quantity <= unnoted else {
                throw .invalidState(
                    "\(line.sku) on \(order.id) has \(unnoted) open and not on an earlier ASN, not \(quantity)")
            }
            order.lines[index].parts = Self.take(quantity, from: order.lines[index].parts) { !$0.noted }
            order.lines[index].parts.append(
                Order.Part(quantity: quantity, expected: Day.start(of: expected), noted: true))
            order.lines[index].parts.sort { $0.expected < $1.expected }
            result.quantity += quantity
        }
        record(order, "asn")
    }

    mutating func receiveOrder(_ op: StockOperation.OrderReceipt) throws(StockError) {
        var order = try openOrder(op.po, .purchase)
        let warehouse = try state.catalog.warehouse(order.warehouseID)
        for line in try nonEmpty(op.lines) {
            let index = try lineIndex(of: line.sku, on: order)
            let item = try item(line.sku)
            let quantity = try quantity(line.qty, uom: line.uom, of: item)
            let open = order.lines[index].open
            guard quantity <= open else {
                throw .invalidState("\(item.sku) on \(order.id) has \(open) open, not \(quantity)")
            }
            try receive(
                StockOperation.Receive(
                    sku: item.sku, qty: quantity, at: warehouse.code, unitCost: order.lines[index].unitCost,
                    lot: line.lot, expiry: line.expiry, serials: line.serials, hold: line.hold))
            order.lines[index].parts = Self.take(quantity, from: order.lines[index].parts) { _ in true }
            order.lines[index].done += quantity
            order.lines[index].history.append(Order.Dated(date: context.now, quantity: quantity, posting: context.key))
        }
        record(order, "received")
    }

    mutating func salesOrder(_ op: StockOperation.SalesOrder) throws(StockError) {
        let customer = try state.catalog.partner(op.customer, as: .customer)
        let (location, warehouse, _) = try stockLocation(op.at)
        let requested = Day.start(of: try plannedDate(op.requested, field: "requested") ?? today)
        var lines: [Order.Line] = []
        for (index, line) in try nonEmpty(op.lines).enumerated() {
            let item = try item(line.sku)
            try requireActive(item)
            guard !lines.contains(where: { $0.itemID == item.id }) else {
                throw .validationFailed(field: "lines[\(index)].sku", reason: "\(item.sku) is on the order twice")
            }
            let quantity = try quantity(line.qty, uom: line.uom, of: item)
            lines.append(Order.Line(itemID: item.id, sku: item.sku, ordered: quantity))
            try reserveFree(item, upTo: quantity, at: location, order: context.key, planned: requested)
        }
        record(
            Order(
                id: context.key, kind: .sales, partner: customer.code, warehouseID: warehouse.id,
                created: context.now, due: requested, channel: op.channel, lines: lines), "created")
    }

    /// Fills backorders from free stock: earliest requested date first, then the oldest order.
    mutating func allocate(_ op: StockOperation.Allocate) throws(StockError) {
        let only = try op.sku.map { sku throws(StockError) in try item(sku).id }
        let warehouse = try op.at.map { reference throws(StockError) in try stockLocation(reference).1.id }
        let orders = state.orders.values.filter { order in
            order.kind == .sales && order.isOpen && (warehouse == nil || order.warehouseID == warehouse)
        }.sorted { ($0.due ?? $0.created, $0.created, $0.id) < ($1.due ?? $1.created, $1.created, $1.id) }
        for order in orders {
            let stock = try state.catalog.location(try state.catalog.warehouse(order.warehouseID).stockLocationID)
            var allocated = false
            for line in order.lines where only == nil || line.itemID == only {
                guard let item = state.books[line.itemID]?.item, item.lifecycle != .obsolete else { continue }
                let backorder = line.open - state.reserved(order: order.id, item: line.itemID)
                guard backorder.isPositive else { continue }
                let taken = try reserveFree(item, upTo: backorder, at: stock, order: order.id, planned: order.due)
                allocated = allocated || taken.isPositive
            }
            if allocated { record(order, "allocated") }
        }
    }

    mutating func close(_ op: StockOperation.OrderRef) throws(StockError) {
        var order = try openOrder(op.order, nil)
        if order.kind != .purchase {
            for move in openMoves(order: order.id, item: nil) { release(move) }
        }
        for index in order.lines.indices {
            order.lines[index].cancelled += order.lines[index].open
            order.lines[index].parts = []
        }
        order.closed = true
        record(order, "closed")
    }

    /// A production order: reserves the components its output needs where they are free; the rest is a shortfall.
    mutating func productionOrder(_ op: StockOperation.ProductionOrder) throws(StockError) {
        let item = try item(op.sku)
        try requireActive(item)
        guard let bill = item.bill, !bill.isEmpty else { throw .noBOM(sku: item.sku) }
        let quantity = try quantity(op.qty, uom: op.uom, of: item)
        let (location, warehouse, _) = try stockLocation(op.at)
        let due = Day.start(of: try plannedDate(op.due, field: "due") ?? today)
        let production = try state.catalog.virtual(Location.Virtual.production)
        for component in bill {
            guard let part = state.books[component.itemID]?.item else { throw .unknownItem(sku: component.sku) }
            try reserveFree(
                part, upTo: quantity.times(component.quantity), at: location, order: context.key, planned: due,
                to: production.id)
        }
        record(
            Order(
                id: context.key, kind: .production, partner: nil, warehouseID: warehouse.id, created: context.now,
                due: due, lines: [Order.Line(itemID: item.id, sku: item.sku, ordered: quantity)], components: bill),
            "created")
        result.quantity = quantity
    }

    /// Makes `qty` (default: all open) of a production order's output from its components, reserved ones first,
    /// valued at what the components cost.
    mutating func produceOrder(_ op: StockOperation.OrderProduction) throws(StockError) {
        var order = try openOrder(op.order, .production)
        guard let output = order.lines.first else { throw .invalidState("production order \(order.id) has no output") }
        let item = book(output.itemID).item
        let quantity =
            try op.qty.map { qty throws(StockError) in try self.quantity(qty, uom: nil, of: item) } ?? output.open
        guard quantity <= output.open else {
            throw .invalidState("\(order.id) has \(output.open) of \(item.sku) open, not \(quantity)")
        }
        let warehouse = try state.catalog.warehouse(order.warehouseID)
        let stock = try state.catalog.location(warehouse.stockLocationID)
        let production = try state.catalog.virtual(Location.Virtual.production)
        var consumed = Money.zero
        for component in order.components ?? [] {
            let part = book(component.itemID).item
            var need = quantity.times(component.quantity)
            var moves: [MoveID] = []
            for open in openMoves(order: order.id, item: part.id) where need.isPositive {
                let id = try shipReserved(open, upTo: need)
                need -= state.moves[id]?.quantity ?? .zero
                moves.append(id)
            }
            if need.isPositive {
                moves += move(
                    part, picks: try pick(part, need, from: stock, lots: nil, allowNegative: false), to: production.id)
            }
            consumed += try bookOutgoing(part, moves: moves, leftStock: true)
        }
        let lots = try incomingLots(item, quantity: quantity, lot: nil, expiry: nil, serials: nil)
        let made = lots.map { lot, qty in self.move(item, qty, from: production.id, to: stock.id, lot: lot) }
        try bookIncoming(item, moves: made, value: consumed)
        order.lines[0].done += quantity
        order.lines[0].history.append(Order.Dated(date: context.now, quantity: quantity, posting: context.key))
        if !order.isOpen {
            for open in openMoves(order: order.id, item: nil) { release(open) }
        }
        record(order, "produced")
        result.quantity = quantity
    }

    /// Records what a sales order's shipment took, after `ship` has moved it.
    mutating func recordShipment(of order: String, moves: [MoveID]) {
        guard var document = state.orders[order], document.kind == .sales else { return }
        for id in moves {
            guard let move = state.moves[id], let index = document.lines.firstIndex(where: { $0.itemID == move.itemID })
            else { continue }
            document.lines[index].done += move.quantity
            if let last = document.lines[index].history.last, last.posting == context.key {
                document.lines[index].history[document.lines[index].history.count - 1].quantity += move.quantity
            } else {
                document.lines[index].history.append(
                    Order.Dated(date: context.now, quantity: move.quantity, posting: context.key))
            }
        }
        record(document, "shipped")
    }

    /// Reserves what is free of `item` in `location`, up to `quantity`, for `order`; returns what it reserved.
    @discardableResult
    mutating func reserveFree(
        _ item: Item, upTo quantity: Quantity, at location: Location, order: String, planned: Date?,
        to destination: LocationID? = nil
    ) throws(StockError) -> Quantity {
        let free = quants(item.id, in: location, lots: nil).reduce(Quantity.zero) { $0 + max($1.unreserved, .zero) }
        let wanted = min(free, quantity)
        guard wanted.isPositive else { return .zero }
        try reserve(
            item, try pick(item, wanted, from: location, lots: nil, allowNegative: false), order: order,
            planned: planned, to: destination)
        result.quantity += wanted
        return wanted
    }

    mutating func record(_ order: Order, _ change: String) {
        state.orders[order.id] = order
        state.changes.orders.insert(order.id)
        var payload = ["order": order.id, "kind": order.kind.rawValue, "status": order.status.rawValue]
        if let warehouse = state.catalog.warehouses[order.warehouseID] {
            payload[LedgerEvent.warehousesKey] = warehouse.code
        }
        state.changes.events.append(.init(type: "order.\(change)", subject: "order/\(order.id)", payload: payload))
    }

    /// The order `id`, not closed or done, of `kind` when given.
    func openOrder(_ id: String, _ kind: Order.Kind?) throws(StockError) -> Order {
        guard let order = state.orders[id], kind == nil || order.kind == kind else { throw .unknownOrder(id) }
        guard order.isOpen else {
            throw .invalidState("\(order.kind.rawValue) order \(id) is \(order.status.rawValue): nothing is open")
        }
        return order
    }

    func lineIndex(of sku: String, on order: Order) throws(StockError) -> Int {
        guard let index = order.line(sku: sku) else { throw .unknownItem(sku: sku) }
        return index
    }

    func company(of warehouse: Warehouse) throws(StockError) -> Company {
        try state.catalog.company(warehouse.companyID)
    }

    func nonEmpty<T>(_ lines: [T]) throws(StockError) -> [T] {
        guard !lines.isEmpty else { throw .validationFailed(field: "lines", reason: "give at least one line") }
        return lines
    }

    /// `parts` less `quantity`, taken from the earliest expected parts `eligible` admits.
    static func take(_ quantity: Quantity, from parts: [Order.Part], where eligible: (Order.Part) -> Bool)
        -> [Order.Part]
    {
        var left = quantity
        var parts = parts.sorted { $0.expected < $1.expected }
        for index in parts.indices where left.isPositive && eligible(parts[index]) {
            let taken = min(left, parts[index].quantity)
            parts[index].quantity -= taken
            left -= taken
        }
        return parts.filter(\.quantity.isPositive)
    }
}
