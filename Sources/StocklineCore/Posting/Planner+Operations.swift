import Foundation

extension Planner {
    // MARK: - Incoming

    mutating func receive(_ op: StockOperation.Receive) throws(StockError) {
        let item = try item(op.sku)
        let quantity = try quantity(op.qty, uom: op.uom, of: item)
        var (location, warehouse, company) = try stockLocation(op.at)
        if op.hold == true { location = try state.catalog.location(warehouse.qcLocationID) }
        let lots = try incomingLots(item, quantity: quantity, lot: op.lot, expiry: op.expiry, serials: op.serials)
        var value = quantity.times(costs(item.id, company).currentUnitCost(at: warehouse.id, item: item), places: 2)
        if let unitCost = op.unitCost {
            value = try self.value(of: op.qty, at: unitCost, currency: op.currency, rate: op.rate, company: company)
        }
        let supplier = try state.catalog.virtual(Location.Virtual.supplier)
        let moves = lots.map { lot, qty in move(item, qty, from: supplier.id, to: location.id, lot: lot) }
        try bookIncoming(item, moves: moves, value: value)
    }

    mutating func produce(_ op: StockOperation.Produce) throws(StockError) {
        let item = try item(op.sku)
        let quantity = try quantity(op.qty, uom: op.uom, of: item)
        let (location, warehouse, company) = try stockLocation(op.at)
        let lots = try incomingLots(item, quantity: quantity, lot: op.lot, expiry: op.expiry, serials: op.serials)
        var value = quantity.times(costs(item.id, company).currentUnitCost(at: warehouse.id, item: item), places: 2)
        if let unitCost = op.unitCost {
            value = try self.value(of: op.qty, at: unitCost, currency: nil, rate: nil, company: company)
        }
        let production = try state.catalog.virtual(Location.Virtual.production)
        let moves = lots.map { lot, qty in move(item, qty, from: production.id, to: location.id, lot: lot) }
        try bookIncoming(item, moves: moves, value: value)
    }

    mutating func returnFromCustomer(_ op: StockOperation.CustomerReturn) throws(StockError) {
        let item = try item(op.sku)
        let quantity = try quantity(op.qty, uom: op.uom, of: item)
        let (location, warehouse, company) = try stockLocation(op.to)
        var unitCost = costs(item.id, company).currentUnitCost(at: warehouse.id, item: item)
        var origin: MoveID?
        if let key = op.of {
            let delivery = try posting(key)
            guard [.deliver, .ship].contains(delivery.kind), delivery.itemID == item.id else {
                throw .invalidState("posting \(key) is not a delivery of \(item.sku)")
            }
            let returnable = delivery.quantity - delivery.returnedQuantity
            guard quantity <= returnable else {
                throw .invalidState("delivery \(key) of \(item.sku) has \(returnable) left to return, not \(quantity)")
            }
            unitCost = (-delivery.value).divided(by: delivery.quantity)
            origin = delivery.moveIDs.first
        }
        let lots = try incomingLots(item, quantity: quantity, lot: op.lot, expiry: nil, serials: op.serials)
        let customer = try state.catalog.virtual(Location.Virtual.customer)
        let moves = lots.map { lot, qty in move(item, qty, from: customer.id, to: location.id, lot: lot, origin: origin)
        }
        try bookIncoming(item, moves: moves, value: quantity.times(unitCost, places: 2))
    }

    // MARK: - Outgoing

    mutating func deliver(_ op: StockOperation.Deliver) throws(StockError) {
        let item = try item(op.sku)
        let quantity = try quantity(op.qty, uom: op.uom, of: item)
        let (location, _, _) = try stockLocation(op.from)
        var left = quantity
        var shipped: [MoveID] = []
        if let order = op.order {
            for open in openMoves(order: order, item: item.id) where left.isPositive {
                let id = try shipReserved(open, upTo: left)
                shipped.append(id)
                left -= state.moves[id]?.quantity ?? .zero
            }
        }
        if left.isPositive {
            try requireActive(item)
            let lots = try lotFilter(item, quantity: quantity, lot: op.lot, serials: op.serials)
            let picks = try pick(item, left, from: location, lots: lots, allowNegative: allowsNegative(location))
            shipped += move(item, picks: picks, to: try state.catalog.virtual(Location.Virtual.customer).id)
        }
        try bookOutgoing(item, moves: shipped, leftStock: true)
    }

    mutating func reserve(_ op: StockOperation.Reserve) throws(StockError) {
        let item = try item(op.sku)
        try requireActive(item)
        let quantity = try quantity(op.qty, uom: op.uom, of: item)
        let (location, _, _) = try stockLocation(op.at)
        let lots = try lotFilter(item, quantity: quantity, lot: op.lot, serials: nil)
        let planned = try plannedDate(op.date, field: "date")
        let picks = try pick(item, quantity, from: location, lots: lots, allowNegative: false)
        try reserve(item, picks, order: op.order, planned: planned)
        result.quantity = quantity
    }

    /// Assigned moves towards the customer holding `picks` for `order`.
    mutating func reserve(
        _ item: Item, _ picks: [Pick], order: String, planned: Date?, to destination: LocationID? = nil
    ) throws(StockError) {
        let to: LocationID
        if let destination { to = destination } else { to = try state.catalog.virtual(Location.Virtual.customer).id }
        for pick in picks {
            let id = move(
                item, pick.quantity, from: pick.key.locationID, to: to, lot: pick.key.lotID,
                state: .assigned, kind: .reserve, reference: order, planned: planned)
            state.reservations[id] = [Reservation(moveID: id, key: pick.key, quantity: pick.quantity)]
            state.changes.reservations.insert(id)
            changeQuant(item.id, pick.key, by: .zero, reserved: pick.quantity, sequence: id.rawValue)
        }
    }

    mutating func unreserve(_ op: StockOperation.OrderRef) throws(StockError) {
        let moves = openMoves(order: op.order, item: nil)
        guard !moves.isEmpty else {
            if state.orders[op.order] != nil { throw .invalidState("order \(op.order) has nothing reserved") }
            throw .unknownOrder(op.order)
        }
        for move in moves { release(move) }
    }

    /// Cancels an open move and frees what it held.
    mutating func release(_ move: Move) {
        for line in state.reservations[move.id] ?? [] {
            changeQuant(move.itemID, line.key, by: .zero, reserved: -line.quantity, sequence: move.id.rawValue)
            result.quantity += line.quantity
        }
        state.reservations[move.id] = []
        state.changes.reservations.insert(move.id)
        state.moves[move.id]?.state = .cancelled
        state.changes.updatedMoves.insert(move.id)
        result.moveIDs.append(move.id)
    }

    mutating func ship(_ op: StockOperation.OrderRef) throws(StockError) {
        let moves = openMoves(order: op.order, item: nil)
        guard !moves.isEmpty else {
            if state.orders[op.order] != nil { throw .invalidState("order \(op.order) has nothing reserved to ship") }
            throw .unknownOrder(op.order)
        }
        var shipped: [ItemID: [MoveID]] = [:]
        for move in moves where move.state == .assigned {
            shipped[move.itemID, default: []].append(try shipReserved(move, upTo: move.quantity))
        }
        guard !shipped.isEmpty else {
            throw .invalidState("order \(op.order) has nothing reserved to ship; its stock was counted away")
        }
        for (itemID, ids) in shipped.sorted(by: { $0.key < $1.key }) {
            try bookOutgoing(book(itemID).item, moves: ids, leftStock: true)
        }
        recordShipment(of: op.order, moves: shipped.values.flatMap { $0 })
    }

    mutating func scrap(_ op: StockOperation.Scrap) throws(StockError) {
        try removeStock(
            op.sku, op.qty, op.uom, from: op.from, lot: op.lot, serials: op.serials,
            to: Location.Virtual.scrap)
    }

    mutating func consume(_ op: StockOperation.Consume) throws(StockError) {
        try removeStock(
            op.sku, op.qty, op.uom, from: op.at, lot: op.lot, serials: op.serials,
            to: Location.Virtual.production)
    }

    mutating func returnToSupplier(_ op: StockOperation.SupplierReturn) throws(StockError) {
        let item = try item(op.sku)
        let quantity = try quantity(op.qty, uom: op.uom, of: item)
        var preferred = Set<LayerID>()
        var origin: MoveID?
        if let key = op.of {
            let receipt = try posting(key)
            guard receipt.kind == .receive, receipt.itemID == item.id else {
                throw .invalidState("posting \(key) is not a receipt of \(item.sku)")
            }
            let returnable = receipt.quantity - receipt.returnedQuantity
            guard quantity <= returnable else {
                throw .invalidState("receipt \(key) of \(item.sku) has \(returnable) left to return, not \(quantity)")
            }
            origin = receipt.moveIDs.first
            for book in book(item.id).costs.values {
                preferred.formUnion(
                    book.layers.values.filter { $0.postingID == receipt.id && $0.kind == .incoming }.map(\.id))
            }
        }
        try removeStock(
            op.sku, op.qty, op.uom, from: op.from, lot: op.lot, serials: op.serials,
            to: Location.Virtual.supplier, origin: origin, prefer: preferred)
    }

    /// Removes stock from a warehouse to a virtual location, valued as it leaves.
    mutating func removeStock(
        _ sku: String, _ qty: Quantity, _ uom: String?, from reference: String, lot: String?,
        serials: [String]?, to destination: String, origin: MoveID? = nil,
        prefer: Set<LayerID> = []
    ) throws(StockError) {
        let item = try item(sku)
        let quantity = try quantity(qty, uom: uom, of: item)
        let (location, _, _) = try stockLocation(reference)
        let lots = try lotFilter(item, quantity: quantity, lot: lot, serials: serials)
        let picks = try pick(item, quantity, from: location, lots: lots, allowNegative: allowsNegative(location))
        let moves = move(item, picks: picks, to: try state.catalog.virtual(destination).id, origin: origin)
        try bookOutgoing(item, moves: moves, leftStock: true, prefer: prefer)
    }

    // MARK: - Inside the company

    mutating func transfer(_ op: StockOperation.Transfer) throws(StockError) {
        let item = try item(op.sku)
        let quantity = try quantity(op.qty, uom: op.uom, of: item)
        let (from, source, company) = try stockLocation(op.from)
        let (to, destination, receiving) = try stockLocation(op.to)
        guard from.id != to.id else { throw .invalidState("a transfer needs two different locations") }
        if company.id != receiving.id, op.transit == true {
            throw .invalidState(
                "\(source.code) and \(destination.code) belong to different companies; a transfer between companies is a sale and a purchase and cannot wait in transit"
            )
        }
        if company.id != receiving.id, op.transferPrice == nil, company.currency != receiving.currency {
            throw .validationFailed(
                field: "transfer_price",
                reason:
                    "\(company.code) keeps \(company.currency) and \(receiving.code) \(receiving.currency): name the transfer price"
            )
        }
        let lots = try lotFilter(item, quantity: quantity, lot: op.lot, serials: op.serials)
        let picks = try pick(item, quantity, from: from, lots: lots, allowNegative: allowsNegative(from))
        if company.id != receiving.id {
            let moves = move(item, picks: picks, to: to.id)
            let cost = try bookOutgoing(item, moves: moves, leftStock: true, account: .costOfGoodsSold)
            var price = cost
            if let unitPrice = op.transferPrice {
                price = try value(of: op.qty, at: unitPrice, currency: nil, rate: nil, company: receiving)
            }
            try bookIncoming(item, moves: moves, value: price, account: .goodsReceivedNotInvoiced)
            return
        }
        guard source.id != destination.id else {
            move(item, picks: picks, to: to.id)
            return
        }
        var costs = costs(item.id, company)
        if op.transit == true {
            // Expected when the route says (the day it left without one), unless the transfer names its arrival.
            let lead = state.catalog.route(from: source.id, to: destination.id)?.leadDays ?? 0
            let arrival =
                try plannedDate(op.arrival, field: "arrival") ?? context.now.addingTimeInterval(Double(lead) * 86_400)
            let moves = move(item, picks: picks, to: destination.transitLocationID)
            for pick in picks {
                move(
                    item, pick.quantity, from: destination.transitLocationID, to: to.id, lot: pick.key.lotID,
                    state: .confirmed, reference: context.key, planned: arrival)
            }
            costs.carry(
                quantity, from: .warehouse(source.id), to: .transit(destination.id),
                context: valuation(item.id, company, move: moves.first), shipmentID: context.postingID,
                item: item, ids: &state.ids, changes: &state.changes)
        } else {
            let moves = move(item, picks: picks, to: to.id)
            costs.carry(
                quantity, from: .warehouse(source.id), to: .warehouse(destination.id),
                context: valuation(item.id, company, move: moves.first), shipmentID: nil, item: item,
                ids: &state.ids, changes: &state.changes)
        }
        setCosts(costs, item.id, company)
    }

    mutating func arrive(_ op: StockOperation.Arrive) throws(StockError) {
        let shipment = try posting(op.transfer)
        guard shipment.kind == .transfer, let itemID = shipment.itemID, let company = shipment.companyID else {
            throw .invalidState("posting \(op.transfer) is not a transfer")
        }
        let item = book(itemID).item
        let open = state.moves.values.filter { $0.postingID == shipment.id && $0.state == .confirmed }
            .sorted { $0.id < $1.id }
        let inTransit = open.reduce(Quantity.zero) { $0 + $1.quantity }
        let quantity =
            try op.qty.map { qty throws(StockError) in try self.quantity(qty, uom: op.uom, of: item) } ?? inTransit
        guard quantity.isPositive, quantity <= inTransit else {
            throw .invalidState(
                "transfer \(op.transfer) has \(inTransit) of \(item.sku) in transit; \(quantity) cannot arrive")
        }
        var left = quantity
        var arrived: [MoveID] = []
        for pending in open where left.isPositive {
            let take = min(left, pending.quantity)
            arrived.append(complete(pending, quantity: take))
            left -= take
        }
        guard let first = arrived.first else {
            throw .invalidState("transfer \(op.transfer): nothing arrived")
        }
        let (_, destinationWarehouse, _) = try valuedSide(of: first, \.toID)
        let destination = destinationWarehouse.id
        let owner = try state.catalog.company(company)
        var costs = costs(item.id, owner)
        costs.carry(
            quantity, from: .transit(destination), to: .warehouse(destination),
            context: valuation(item.id, owner, move: first), shipmentID: shipment.id, item: item,
            ids: &state.ids, changes: &state.changes)
        setCosts(costs, item.id, owner)
    }

    mutating func hold(_ op: StockOperation.Quality) throws(StockError) {
        let item = try item(op.sku)
        let quantity = try quantity(op.qty, uom: op.uom, of: item)
        let (location, warehouse, _) = try stockLocation(op.at)
        let qc = try state.catalog.location(warehouse.qcLocationID)
        guard !qc.contains(location) else { throw .invalidState("\(location.path) is already quality control") }
        let lots = try lotFilter(item, quantity: quantity, lot: op.lot, serials: op.serials)
        let picks = try pick(item, quantity, from: location, lots: lots, allowNegative: false)
        move(item, picks: picks, to: qc.id)
    }

    mutating func release(_ op: StockOperation.Quality) throws(StockError) {
        let (item, picks, warehouse) = try pickBlocked(op)
        move(item, picks: picks, to: warehouse.stockLocationID)
    }

    mutating func reject(_ op: StockOperation.Quality) throws(StockError) {
        let (item, picks, _) = try pickBlocked(op)
        let moves = move(item, picks: picks, to: try state.catalog.virtual(Location.Virtual.scrap).id)
        try bookOutgoing(item, moves: moves, leftStock: true)
    }

    /// Picks stock under quality control: `at` names the warehouse (its QC location) or a location inside QC.
    mutating func pickBlocked(_ op: StockOperation.Quality) throws(StockError) -> (Item, [Pick], Warehouse) {
        let item = try item(op.sku)
        let quantity = try quantity(op.qty, uom: op.uom, of: item)
        var (location, warehouse, _) = try stockLocation(op.at)
        let qc = try state.catalog.location(warehouse.qcLocationID)
        if state.catalog.warehouse(code: op.at) != nil { location = qc }
        guard qc.contains(location) else { throw .invalidState("\(location.path) is not under quality control") }
        let lots = try lotFilter(item, quantity: quantity, lot: op.lot, serials: op.serials)
        return (item, try pick(item, quantity, from: location, lots: lots, allowNegative: false), warehouse)
    }

    // MARK: - Counts and adjustments

    mutating func count(_ op: StockOperation.Count) throws(StockError) {
        let item = try item(op.sku)
        let counted = try quantity(op.counted, uom: op.uom, of: item, allowZero: true)
        let (location, warehouse, company) = try stockLocation(op.at)
        var lots: Set<LotID?>?
        if let name = op.lot {
            guard item.tracking != .none else {
                throw .validationFailed(field: "lot", reason: "SKU \(item.sku) is not tracked by lot")
            }
            // A lot never seen before counts as zero; a positive count creates it below.
            lots = [book(item.id).lot(named: name)?.id ?? LotID(0)]
        }
        let current = quants(item.id, in: location, lots: lots).reduce(Quantity.zero) { $0 + $1.quantity }
        if let expected = op.expected {
            let believed = try quantity(expected, uom: op.uom, of: item, allowZero: true, allowNegative: true)
            guard believed == current else {
                throw .staleQuantity(sku: item.sku, at: location.path, current: current, expected: believed)
            }
        }
        let difference = counted - current
        let adjustment = try state.catalog.virtual(Location.Virtual.adjustment)
        if difference.isNegative {
            let picks = try pick(
                item, -difference, from: location, lots: lots, includeReserved: true,
                allowNegative: true)
            let moves = move(item, picks: picks, to: adjustment.id)
            for pick in picks { trimReservations(item.id, pick.key) }
            try bookOutgoing(item, moves: moves, leftStock: true)
        } else if difference.isPositive {
            let lots = try incomingLots(item, quantity: difference, lot: op.lot, expiry: nil, serials: nil)
            let unitCost = costs(item.id, company).currentUnitCost(at: warehouse.id, item: item)
            let moves = lots.map { lot, qty in move(item, qty, from: adjustment.id, to: location.id, lot: lot) }
            try bookIncoming(item, moves: moves, value: difference.times(unitCost, places: 2))
        }
    }

    mutating func adjust(_ op: StockOperation.Adjust) throws(StockError) {
        let item = try item(op.sku)
        guard !op.reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw .validationFailed(field: "reason", reason: "an adjustment needs a reason")
        }
        let quantity = try quantity(op.qty, uom: op.uom, of: item, allowNegative: true)
        let (location, warehouse, company) = try stockLocation(op.at)
        let adjustment = try state.catalog.virtual(Location.Virtual.adjustment)
        if quantity.isPositive {
            let lots = try incomingLots(item, quantity: quantity, lot: op.lot, expiry: nil, serials: op.serials)
            let unitCost = costs(item.id, company).currentUnitCost(at: warehouse.id, item: item)
            let moves = lots.map { lot, qty in move(item, qty, from: adjustment.id, to: location.id, lot: lot) }
            try bookIncoming(item, moves: moves, value: quantity.times(unitCost, places: 2))
        } else {
            let lots = try lotFilter(item, quantity: -quantity, lot: op.lot, serials: op.serials)
            let picks = try pick(item, -quantity, from: location, lots: lots, allowNegative: allowsNegative(location))
            try bookOutgoing(item, moves: move(item, picks: picks, to: adjustment.id), leftStock: true)
        }
    }

    // MARK: - Master data changes that post

    mutating func supersede(_ op: StockOperation.Supersede) throws(StockError) {
        var old = try item(op.old)
        let new = try item(op.new)
        guard old.id != new.id else { throw .validationFailed(field: "new", reason: "an item cannot supersede itself") }
        old.successorID = new.id
        if op.mode == .oneWay { old.lifecycle = .obsolete }
        state.books[old.id]?.item = old
        state.changes.items.insert(old.id)
        if op.mode == .twoWay, var successor = state.books[new.id]?.item, successor.successorID == nil {
            successor.successorID = old.id
            state.books[new.id]?.item = successor
            state.changes.items.insert(new.id)
        }
        event("item.superseded", old, ["successor": new.sku, "mode": op.mode.rawValue])
    }

    mutating func setCost(_ op: StockOperation.SetCost) throws(StockError) {
        let item = try item(op.sku)
        let company: Company
        if let code = op.company {
            guard let found = state.catalog.company(code: code) else { throw .unknownCompany(code) }
            company = found
        } else {
            guard let only = state.catalog.soleCompany else {
                throw .validationFailed(field: "company", reason: "there are several companies: name one")
            }
            company = only
        }
        guard company.costing != .fifo else {
            throw .invalidState("\(company.code) values stock by FIFO; a unit cost cannot be set")
        }
        guard op.unitCost.magnitude <= Fixed.maximumQuantity else {
            throw .validationFailed(
                field: "unit_cost", reason: "a unit cost above \(Fixed.maximumQuantity) is not accepted")
        }
        guard !op.unitCost.isNegative else {
            throw .validationFailed(field: "unit_cost", reason: "must not be negative")
        }
        var costs = costs(item.id, company)
        let before = costs.totals.value
        costs.revalue(
            to: op.unitCost.rounded(places: 6), context: valuation(item.id, company, move: nil),
            ids: &state.ids, changes: &state.changes)
        result.value = costs.totals.value - before
        setCosts(costs, item.id, company)
    }

    // MARK: - Shared steps

    /// Open moves claimed by an order, oldest first.
    func openMoves(order: String, item: ItemID?) -> [Move] {
        state.moves.values.filter {
            $0.reference == order && $0.isOpen && $0.kind == .reserve && (item == nil || $0.itemID == item)
        }
        .sorted { $0.id < $1.id }
    }

    /// Ships what a reservation holds, up to `limit`; returns the done move.
    mutating func shipReserved(_ open: Move, upTo limit: Quantity) throws(StockError) -> MoveID {
        let lines = state.reservations[open.id] ?? []
        let reserved = lines.reduce(Quantity.zero) { $0 + $1.quantity }
        let quantity = min(limit, reserved)
        guard quantity.isPositive, let line = lines.first else {
            throw .insufficientStock(
                sku: book(open.itemID).item.sku, at: "order \(open.reference ?? "")",
                available: .zero, requested: limit)
        }
        changeQuant(open.itemID, line.key, by: .zero, reserved: -quantity, sequence: open.id.rawValue)
        var remaining = lines
        remaining[0].quantity -= quantity
        state.reservations[open.id] = remaining.filter { $0.quantity.isPositive }
        state.changes.reservations.insert(open.id)
        return complete(open, quantity: quantity)
    }

    /// Does `quantity` of an open move: a new done move of this posting, continuing the open one, which keeps what
    /// is left (cancelled when nothing is). The posting thus owns what it shipped or received, for returns and audit.
    mutating func complete(_ open: Move, quantity: Quantity) -> MoveID {
        let remaining = open.quantity - quantity
        state.moves[open.id]?.quantity = remaining
        if remaining.isZero {
            state.moves[open.id]?.state = .cancelled
        } else if open.state == .assigned, (state.reservations[open.id] ?? []).isEmpty {
            state.moves[open.id]?.state = .confirmed
        }
        state.changes.updatedMoves.insert(open.id)
        return move(
            book(open.itemID).item, quantity, from: open.fromID, to: open.toID, lot: open.lotID,
            reference: open.reference, origin: open.id)
    }

    /// Values stock leaving its warehouses through `moves`, grouped by warehouse.
    @discardableResult
    mutating func bookOutgoing(
        _ item: Item, moves ids: [MoveID], leftStock: Bool, prefer: Set<LayerID> = [], account: AccountRole? = nil
    ) throws(StockError) -> Money {
        var total = Money.zero
        var byWarehouse: [WarehouseID: (Quantity, MoveID)] = [:]
        for id in ids {
            let (move, warehouse, _) = try valuedSide(of: id, \.fromID)
            let entry = byWarehouse[warehouse.id] ?? (.zero, id)
            byWarehouse[warehouse.id] = (entry.0 + move.quantity, entry.1)
        }
        for (warehouseID, (quantity, first)) in byWarehouse.sorted(by: { $0.key < $1.key }) {
            let (_, _, company) = try valuedSide(of: first, \.fromID)
            var costs = costs(item.id, company)
            let outflow = costs.issue(
                quantity, from: .warehouse(warehouseID),
                context: valuation(item.id, company, move: first, account: account), leftStock: leftStock,
                prefer: prefer, item: item, ids: &state.ids,
                changes: &state.changes)
            state.changes.layerUses += outflow.uses
            setCosts(costs, item.id, company)
            result.value -= outflow.value
            total += outflow.value
        }
        return total
    }

    /// The move, and the warehouse and company of its `side`: a valued move always has all three, so a missing one
    /// refuses the posting rather than booking it without its value.
    func valuedSide(of id: MoveID, _ side: KeyPath<Move, LocationID>) throws(StockError) -> (Move, Warehouse, Company) {
        guard let move = state.moves[id] else { throw .unvaluedMove(id, reason: "it is not in the posting's state") }
        guard let warehouseID = state.catalog.locations[move[keyPath: side]]?.warehouseID,
            let warehouse = state.catalog.warehouses[warehouseID]
        else { throw .unvaluedMove(id, reason: "location \(move[keyPath: side]) belongs to no warehouse") }
        guard let company = state.catalog.companies[warehouse.companyID] else {
            throw .unvaluedMove(id, reason: "warehouse \(warehouse.code) belongs to no company")
        }
        return (move, warehouse, company)
    }

    /// Values stock entering a warehouse through `moves` at `value`.
    mutating func bookIncoming(_ item: Item, moves ids: [MoveID], value: Money, account: AccountRole? = nil)
        throws(StockError)
    {
        var quantity = Quantity.zero
        var target: (WarehouseID, Company)?
        for id in ids {
            let (move, warehouse, company) = try valuedSide(of: id, \.toID)
            guard target == nil || target?.0 == warehouse.id else {
                throw .unvaluedMove(id, reason: "the posting's other moves enter another warehouse")
            }
            target = (warehouse.id, company)
            quantity += move.quantity
        }
        guard let first = ids.first, let target else {
            throw .invalidState("SKU \(item.sku): nothing to value entering stock")
        }
        let (warehouseID, company) = target
        var costs = costs(item.id, company)
        let context = valuation(item.id, company, move: first, account: account)
        let layers = costs.receive(
            [CostPiece(quantity: quantity, value: value, originID: nil)], into: .warehouse(warehouseID),
            context: context, item: item, ids: &state.ids, changes: &state.changes)
        let booked = layers.compactMap { costs.layers[$0]?.value }.reduce(Money.zero, +)
        result.value += booked
        setCosts(costs, item.id, company)
        if let counterpart = context.account, booked != value {
            extraJournalLines += [
                JournalLine(
                    companyID: company.id, itemID: item.id, warehouseID: warehouseID, role: .priceDifference,
                    amount: value - booked),
                JournalLine(
                    companyID: company.id, itemID: item.id, warehouseID: warehouseID, role: counterpart,
                    amount: booked - value),
            ]
        }
    }
}
