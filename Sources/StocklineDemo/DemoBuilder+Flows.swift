import StocklineCore

/// How a place is refilled when its stock runs low: ordered up to `reorderPoint + quantity` once what is on hand
/// and on its way falls below `reorderPoint`.
struct Replenishment {
    enum Source {
        /// Bought; received after the item's lead time, into QC first when lots are inspected.
        case supplier(inspect: Bool)
        /// Sent from another warehouse of the company, `days` in transit (0: moved at once).
        case warehouse(String, days: Int)
        /// Made at a plant.
        case production(String)
    }

    var source: Source
    var reorderPoint: Quantity
    var quantity: Quantity
    /// Checked only at the weekly review (service vans are topped up once a week).
    var weeklyOnly = false
}

/// Somewhere that sells or issues stock: a warehouse, its assortment and how busy it is.
struct Outlet {
    var warehouse: String
    var skus: [String]
    /// The fast movers; they get most of the lines.
    var hot: [String]
    var linesPerDay: ClosedRange<Int>
    var linesPerOrder: ClosedRange<Int>
    /// Percent of orders reserved in the morning and shipped in the afternoon.
    var reservedShare: Double
    var shipByLine: Bool
    var orderPrefix: String
    var channel: Channel
    var quantityFactor = 1
    /// Percent of delivered lines that come back.
    var returnRate: Double
}

extension DemoBuilder {
    // MARK: - Replenishment

    func addPolicy(_ place: Place, _ policy: Replenishment) {
        if policies[place] == nil { policyOrder.append(place) }
        policies[place] = policy
    }

    /// Business days a supplier takes.
    func supplierLead(_ item: DemoItem) -> Int { max(1, min(8, item.leadTimeDays / 2)) }

    /// Orders more for `place` when its stock and pipeline fall below the reorder point.
    func replenish(_ place: Place, review: Bool = false) {
        guard let policy = policies[place], review || !policy.weeklyOnly else { return }
        let position = stock.available(place) + (pipeline[place] ?? .zero)
        guard position < policy.reorderPoint else { return }
        let want = policy.reorderPoint + policy.quantity - position
        switch policy.source {
        case .supplier(let inspect):
            pipeline[place, default: .zero] += want
            let item = item(place.sku)
            schedule(after: supplierLead(item)) { [self] in
                let channel = Channel(actor: "\(place.warehouse.lowercased()).goods-in", source: "edi")
                let receipt = receive(place.sku, want, at: place.warehouse, hold: inspect, channel: channel)
                if inspect {
                    self.inspect(
                        place, receipt: receipt.key, portions: receipt.portions, returnRate: 6,
                        channel: Channel(actor: "\(place.warehouse.lowercased()).lab", source: "lims"))
                }
                pipeline[place, default: .zero] -= want
            }
        case .warehouse(let source, let days):
            let from = Place(warehouse: source, sku: place.sku)
            let amount = min(want, stock.available(from))
            guard amount.isPositive else {
                replenish(from)
                return
            }
            transfer(
                place.sku, amount, from: source, to: place.warehouse, days: days,
                channel: Channel(actor: "\(source.lowercased()).dispatch", source: "wms"))
        case .production(let plant):
            pipeline[place, default: .zero] += want
            productionQueue[plant, default: []].append((place.sku, want))
        }
    }

    /// The weekly review: every place below its reorder point orders, vans included.
    func review() {
        for place in policyOrder { replenish(place, review: true) }
    }

    /// Stock at the start of the demo year, brought over from the previous system.
    func openingBalances() {
        let channel = Channel(actor: "migration", source: "legacy-erp")
        for place in policyOrder {
            guard let policy = policies[place] else { continue }
            let item = item(place.sku)
            var quantity = policy.reorderPoint + Quantity(Int(policy.quantity.micros / Fixed.one) / 2)
            if item.tracking == .serial { quantity = min(quantity, Quantity(40)) }
            guard quantity.isPositive else { continue }
            let location: String? = {
                if case .production = policy.source { return "\(place.warehouse)/STOCK/FG" }
                return nil
            }()
            receive(
                place.sku, quantity, at: place.warehouse, location: location, channel: channel,
                reason: "opening balance",
                expiryMonths: item.shelfLifeMonths.map { max(3, $0 - random.int(2...9)) })
        }
    }

    // MARK: - Production

    /// Runs the plant's queued production orders, as many as it has capacity for today.
    func runProduction(_ plant: String) {
        let queue = productionQueue[plant] ?? []
        let count = min(queue.count, capacity[plant] ?? 0)
        for order in queue.prefix(count) { produce(order.sku, order.quantity, at: plant) }
        productionQueue[plant]?.removeFirst(count)  // orders queued meanwhile stay behind
    }

    /// One production order: its components are consumed (bought in a hurry when short), the item produced.
    func produce(_ sku: String, _ quantity: Quantity, at plant: String) {
        guard let recipe = recipes[sku] else { return }
        orderSequence += 1
        let order = "WO-\(DemoClock.padded(orderSequence, width: 7))"
        let channel = Channel(actor: "\(plant.lowercased()).mes", source: "mes")
        var cost = recipe.labour
        for line in recipe.lines {
            let need = line.perUnit.times(quantity)
            let place = Place(warehouse: plant, sku: line.sku)
            let component = item(line.sku)
            let short = need - stock.available(place)
            if short.isPositive {
                let extra = policies[place]?.quantity ?? .zero
                receive(
                    line.sku, Self.wholeUnits(short) + extra, at: plant,
                    channel: Channel(actor: "\(plant.lowercased()).goods-in", source: "edi"),
                    reason: "expedited: line shortage")
            }
            remove(line.sku, need, from: plant, as: .consume(order: order), channel: channel)
            cost += component.cost.times(line.perUnit, places: 4)
        }
        let item = item(sku)
        post(
            .produce(.init(sku: sku, qty: quantity, at: "\(plant)/STOCK/FG", unitCost: cost.rounded(places: 4))),
            channel, reference: order)
        let place = Place(warehouse: plant, sku: sku)
        stock.put(newPortions(item, quantity), at: place)
        pipeline[place, default: .zero] -= quantity
    }

    static func wholeUnits(_ quantity: Quantity) -> Quantity {
        let whole = (quantity.micros + Fixed.one - 1) / Fixed.one
        return Quantity(micros: whole * Fixed.one)
    }

    // MARK: - Orders

    /// A count drawn from `range` times the world's volume; a fraction becomes one more with that probability.
    func scaled(_ range: ClosedRange<Int>) -> Int {
        let value = Double(random.int(range)) * volume
        let whole = value.rounded(.down)
        return Int(whole) + (random.chance((value - whole) * 100) ? 1 : 0)
    }

    /// The item a line asks for: mostly a fast mover; a superseded part's successor once it is retired.
    func pick(_ outlet: Outlet) -> String? {
        guard let sku = random.chance(70) ? random.element(of: outlet.hot) : random.element(of: outlet.skus) else {
            return nil
        }
        guard let redirect = redirects[sku] else { return sku }
        if redirect.whileStockLasts, stock.available(Place(warehouse: outlet.warehouse, sku: sku)).isPositive {
            return sku
        }
        return redirect.successor
    }

    /// Today's orders of an outlet: delivered at once, or reserved now and shipped in the afternoon.
    func runOutlet(_ outlet: Outlet) {
        var remaining = scaled(outlet.linesPerDay)
        while remaining > 0 {
            let lines = min(remaining, random.int(outlet.linesPerOrder))
            remaining -= lines
            orderSequence += 1
            let order = "\(outlet.orderPrefix)-\(DemoClock.padded(orderSequence, width: 7))"
            let reserve = random.chance(outlet.reservedShare)
            var open = OpenOrder(
                order: order, warehouse: outlet.warehouse, lines: [], channel: outlet.channel,
                shipByLine: outlet.shipByLine, returnRate: outlet.returnRate)
            var seen = Set<String>()
            for _ in 0..<lines {
                guard let sku = pick(outlet), seen.insert(sku).inserted else { continue }
                let item = item(sku)
                let place = Place(warehouse: outlet.warehouse, sku: sku)
                let quantity = min(lineQuantity(item, factor: outlet.quantityFactor), stock.available(place))
                guard quantity.isPositive else {
                    lostLines += 1
                    replenish(place)
                    continue
                }
                if reserve, item.tracking == .none {
                    let portions = stock.take(quantity, from: place)
                    post(
                        .reserve(.init(sku: sku, qty: quantity, at: outlet.warehouse, order: order)), outlet.channel,
                        reference: order)
                    open.lines.append((place, portions))
                    replenish(place)
                } else {
                    remove(
                        sku, quantity, from: outlet.warehouse,
                        as: .deliver(order: order, returnRate: outlet.returnRate), channel: outlet.channel)
                }
            }
            if !open.lines.isEmpty { openOrders.append(open) }
        }
    }

    /// Ships the morning's reserved orders; a few are cancelled instead.
    func shipOrders() {
        for open in openOrders {
            if random.chance(2) {
                post(
                    .unreserve(.init(order: open.order)), open.channel, reason: "order cancelled by customer",
                    reference: open.order)
                for (place, portions) in open.lines { stock.put(portions, at: place) }
            } else if open.shipByLine {
                for (place, portions) in open.lines {
                    post(
                        .deliver(
                            .init(
                                sku: place.sku, qty: DemoStock.total(portions), from: open.warehouse,
                                order: open.order)), open.channel, reference: open.order)
                    // A delivery that ships a whole reservation is not returnable by its key (the ledger counts
                    // the reserve posting's move, not the delivery's), so such returns name no delivery.
                    if random.chance(open.returnRate) {
                        scheduleReturn(
                            DeliveryRecord(key: nil, place: place, portions: portions), channel: open.channel)
                    }
                }
            } else {
                post(.ship(.init(order: open.order)), open.channel, reference: open.order)
            }
        }
        openOrders = []
    }

    // MARK: - Counts and holds

    /// Counts a share of the stocked places of some warehouses; a few counts find a difference.
    func countCycle(percent: Double, in warehouses: Set<String>, differenceRate: Double) {
        for place in stock.stockedPlaces where warehouses.contains(place.warehouse) && random.chance(percent * counting)
        {
            let item = item(place.sku)
            guard item.tracking != .serial else { continue }
            let channel = Channel(actor: "\(place.warehouse.lowercased()).counter", source: "scanner")
            for portion in stock.portions(place) {
                var counted = portion.quantity
                if random.chance(differenceRate) {
                    let step =
                        item.fractional
                        ? Quantity(micros: Int64(random.int(1...25)) * 100_000) : Quantity(random.int(1...3))
                    counted = random.chance(70) ? max(.zero, counted - step) : counted + step
                }
                post(
                    .count(.init(sku: place.sku, at: place.warehouse, counted: counted, lot: portion.lot)), channel,
                    reason: "cycle count")
                stock.set(counted, at: place, lot: portion.lot)
            }
            replenish(place)
        }
    }

    /// A quality alert: some stock of one item is blocked for inspection.
    func qualityAlert(in candidates: [Place], rejectRate: Double) {
        guard let place = random.element(of: candidates) else { return }
        let available = stock.available(place)
        guard available >= Fixed(2) else { return }
        let whole = Int(available.micros / Fixed.one)
        let quantity = Quantity(random.int(1...max(1, min(12, whole / 2))))
        hold(
            place, quantity, rejectRate: rejectRate,
            channel: Channel(actor: "\(place.warehouse.lowercased()).quality", source: "qms"),
            reason: "quality alert: inspect before use")
    }

    // MARK: - The day

    /// Starts a business day: arrivals, receipts, inspections and returns due today happen first.
    func begin(_ today: DemoDay) {
        day = today
        for task in agenda.removeValue(forKey: today.index) ?? [] { task() }
    }
}
