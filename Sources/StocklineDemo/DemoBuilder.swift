import StocklineCore

/// Who posts and through which system, as the ledger records it.
struct Channel {
    var actor: String
    var source: String
}

/// The engine one business case runs on: it plans stock operations against its own picture of the stock
/// (`DemoStock`), queues them on the shared poster, and keeps that picture in step with what it posted.
///
/// A world (the parts maker, the distributor) describes its warehouses, items, replenishment rules and sales
/// outlets; the builder turns them into receipts, transfers, production, deliveries, counts and holds.
final class DemoBuilder {
    let name: String
    let company: String
    let poster: DemoPoster
    var random: DemoRandom
    var stock = DemoStock()
    var items: [String: DemoItem] = [:]
    /// SKUs in the order they were defined, which is the order they are created in.
    var itemOrder: [String] = []
    /// Sub-locations of each warehouse's STOCK location that receipts are put away into.
    var bins: [String: [String]] = [:]
    var policies: [Place: Replenishment] = [:]
    /// Expected daily demand per place, in base units: what replenishment rules are sized from.
    var rates: [Place: Double] = [:]
    /// `policies`' keys in the order they were added, so reviews run in a stable order.
    var policyOrder: [Place] = []
    /// Quantities ordered, in transit or in production towards a place.
    var pipeline: [Place: Quantity] = [:]
    var recipes: [String: Recipe] = [:]
    /// Production orders waiting at each plant, oldest first.
    var productionQueue: [String: [(sku: String, quantity: Quantity)]] = [:]
    var capacity: [String: Int] = [:]
    var outlets: [Outlet] = []
    /// Demand for an item that moves to another (a superseded part to its successor).
    var redirects: [String: Redirect] = [:]
    var agenda: [Int: [() -> Void]] = [:]
    var openOrders: [OpenOrder] = []
    var day = DemoDay(index: 0, morning: DemoClock.start, year: 2025, month: 1, day: 1, weekday: 3, isMonthEnd: false)
    var lotSequence = 0
    var serialSequence: [String: Int] = [:]
    var orderSequence = 0
    var postings = 0
    var lostLines = 0
    var volume = 1.0
    /// Multiplies the share of stock counted at month ends.
    var counting = 1.0

    init(name: String, company: String, poster: DemoPoster, random: DemoRandom) {
        self.name = name
        self.company = company
        self.poster = poster
        self.random = random
    }

    func item(_ sku: String) -> DemoItem {
        guard let item = items[sku] else {
            preconditionFailure("the demo plans only items it created; \(sku) is not one")
        }
        return item
    }

    func add(_ item: DemoItem) {
        if items[item.sku] == nil { itemOrder.append(item.sku) }
        items[item.sku] = item
    }

    @discardableResult
    func post(_ operation: StockOperation, _ channel: Channel, reason: String? = nil, reference: String? = nil)
        -> String
    {
        postings += 1
        return poster.post(
            operation, actor: channel.actor, source: channel.source, reason: reason, reference: reference)
    }

    /// Runs `task` at the start of the business day `after` days from today.
    func schedule(after days: Int, _ task: @escaping () -> Void) {
        agenda[day.index + max(1, days), default: []].append(task)
    }

    /// Where receipts of an item are put away in a warehouse.
    func putaway(_ warehouse: String, _ item: DemoItem) -> String {
        guard let list = bins[warehouse], !list.isEmpty else { return warehouse }
        return "\(warehouse)/STOCK/\(list[item.bin % list.count])"
    }

    // MARK: - Quantities

    /// A line quantity for `item`: whole units, or litres and metres with up to one decimal.
    func lineQuantity(_ item: DemoItem, factor: Int = 1) -> Quantity {
        let whole = random.int(item.lineQuantity) * factor
        guard item.fractional, random.chance(60) else { return Quantity(whole) }
        return Quantity(micros: Int64(whole) * Fixed.one + Int64(random.int(1...9)) * 100_000)
    }

    /// A unit cost near the item's nominal one, as supplier prices drift.
    func purchaseCost(_ item: DemoItem) -> Money {
        item.cost.times(Fixed(micros: Int64(random.int(960_000...1_060_000))), places: 4)
    }

    // MARK: - Incoming

    /// Receives from a supplier: a new lot for lot-tracked items, new serial numbers for serialized ones.
    @discardableResult
    func receive(
        _ sku: String, _ quantity: Quantity, at warehouse: String, location: String? = nil, hold: Bool = false,
        channel: Channel, reason: String? = nil, expiryMonths: Int? = nil
    ) -> (key: String, portions: [Portion]) {
        let item = item(sku)
        let portions = newPortions(item, quantity)
        var qty = quantity
        var uom: String?
        var unitCost = purchaseCost(item)
        if let pack = item.receivePack, let size = item.packs[pack], size.isPositive, quantity.micros % size.micros == 0
        {
            qty = Quantity(Int(quantity.micros / size.micros))
            uom = pack
            unitCost = unitCost.times(size, places: 4)
        }
        let lot = item.tracking == .lot ? portions.first?.lot : nil
        let expiry =
            lot != nil ? item.shelfLifeMonths.map { DemoCalendar.expiry(after: day, months: expiryMonths ?? $0) } : nil
        let operation = StockOperation.receive(
            .init(
                sku: sku, qty: qty, at: location ?? putaway(warehouse, item), unitCost: unitCost, lot: lot,
                expiry: expiry,
                serials: item.tracking == .serial ? portions.compactMap(\.lot) : nil, uom: uom, hold: hold ? true : nil)
        )
        stock.put(portions, at: Place(warehouse: warehouse, sku: sku), blocked: hold)
        return (post(operation, channel, reason: reason), portions)
    }

    /// The lots (or serial numbers) new stock of `item` arrives in.
    func newPortions(_ item: DemoItem, _ quantity: Quantity) -> [Portion] {
        switch item.tracking {
        case .none:
            return [Portion(lot: nil, quantity: quantity)]
        case .lot:
            lotSequence += 1
            let yymmdd = String(day.text.filter { $0 != "-" }.dropFirst(2))
            return [Portion(lot: "L\(yymmdd)-\(DemoClock.padded(lotSequence, width: 4))", quantity: quantity)]
        case .serial:
            let count = Int(quantity.micros / Fixed.one)
            let prefix = String(item.sku.filter { $0 != "-" })
            var serials: [Portion] = []
            for _ in 0..<max(0, count) {
                let next = (serialSequence[item.sku] ?? 0) + 1
                serialSequence[item.sku] = next
                serials.append(Portion(lot: "\(prefix)-\(DemoClock.padded(next, width: 6))", quantity: Fixed(1)))
            }
            return serials
        }
    }

    // MARK: - Outgoing

    /// One operation per lot, one naming all serial numbers, or one for an untracked item.
    func split(_ item: DemoItem, _ portions: [Portion]) -> [(
        quantity: Quantity, lot: String?, serials: [String]?, portions: [Portion]
    )] {
        switch item.tracking {
        case .none:
            return [(DemoStock.total(portions), nil, nil, portions)]
        case .lot:
            return portions.map { ($0.quantity, $0.lot, nil, [$0]) }
        case .serial:
            return [(DemoStock.total(portions), nil, portions.compactMap(\.lot), portions)]
        }
    }

    enum Removal {
        case deliver(order: String?, returnRate: Double)
        /// Into production, for a work order.
        case consume(order: String)
        case scrap
    }

    /// Takes up to `quantity` out of a warehouse; returns how much it took.
    @discardableResult
    func remove(
        _ sku: String, _ quantity: Quantity, from warehouse: String, as removal: Removal, channel: Channel,
        reason: String? = nil
    ) -> Quantity {
        let item = item(sku)
        let place = Place(warehouse: warehouse, sku: sku)
        let wanted = item.tracking == .serial ? Quantity(Int(quantity.micros / Fixed.one)) : quantity
        let portions = stock.take(wanted, from: place)
        guard !portions.isEmpty else { return .zero }
        for part in split(item, portions) {
            switch removal {
            case .deliver(let order, let returnRate):
                let key = post(
                    .deliver(
                        .init(
                            sku: sku, qty: part.quantity, from: warehouse, lot: part.lot,
                            serials: part.serials, order: order)), channel, reason: reason, reference: order)
                if returnRate > 0, random.chance(returnRate) {
                    scheduleReturn(DeliveryRecord(key: key, place: place, portions: part.portions), channel: channel)
                }
            case .consume(let order):
                post(
                    .consume(.init(sku: sku, qty: part.quantity, at: warehouse, lot: part.lot, serials: part.serials)),
                    channel, reason: reason, reference: order)
            case .scrap:
                post(
                    .scrap(.init(sku: sku, qty: part.quantity, from: warehouse, lot: part.lot, serials: part.serials)),
                    channel, reason: reason)
            }
        }
        replenish(place)
        return DemoStock.total(portions)
    }

    /// Moves stock between two warehouses of the company, through transit when it takes `days`.
    @discardableResult
    func transfer(
        _ sku: String, _ quantity: Quantity, from source: String, to destination: String, days: Int,
        channel: Channel
    ) -> Quantity {
        let item = item(sku)
        let from = Place(warehouse: source, sku: sku)
        let to = Place(warehouse: destination, sku: sku)
        let portions = stock.take(quantity, from: from)
        guard !portions.isEmpty else { return .zero }
        for part in split(item, portions) {
            let key = post(
                .transfer(
                    .init(
                        sku: sku, qty: part.quantity, from: source, to: putaway(destination, item),
                        lot: part.lot, serials: part.serials, transit: days > 0 ? true : nil)),
                channel)
            guard days > 0 else {
                stock.put(part.portions, at: to)
                continue
            }
            pipeline[to, default: .zero] += part.quantity
            schedule(after: days) { [self] in
                post(
                    .arrive(.init(transfer: key)), Channel(actor: "\(destination.lowercased()).goods-in", source: "wms")
                )
                stock.put(part.portions, at: to)
                pipeline[to, default: .zero] -= part.quantity
            }
        }
        replenish(from)
        return DemoStock.total(portions)
    }

    // MARK: - Quality

    /// Blocks free stock in QC and decides on it some days later: mostly released, some rejected.
    func hold(_ place: Place, _ quantity: Quantity, rejectRate: Double, channel: Channel, reason: String) {
        let item = item(place.sku)
        let portions = stock.take(quantity, from: place)
        guard !portions.isEmpty else { return }
        for part in split(item, portions) {
            post(
                .hold(
                    .init(sku: place.sku, qty: part.quantity, at: place.warehouse, lot: part.lot, serials: part.serials)
                ),
                channel, reason: reason)
        }
        stock.put(portions, at: place, blocked: true)
        let reject = random.chance(rejectRate)
        schedule(after: random.int(2...6)) { [self] in
            decide(place, portions, reject: reject, channel: channel)
        }
        replenish(place)
    }

    /// Releases blocked portions to stock, or rejects them to scrap.
    func decide(_ place: Place, _ portions: [Portion], reject: Bool, channel: Channel) {
        let item = item(place.sku)
        var taken: [Portion] = []
        for portion in portions { taken += stock.take(portion.quantity, from: place, lot: portion.lot, blocked: true) }
        guard !taken.isEmpty else { return }
        for part in split(item, taken) {
            let quality = StockOperation.Quality(
                sku: place.sku, qty: part.quantity, at: place.warehouse, lot: part.lot,
                serials: part.serials)
            post(
                reject ? .reject(quality) : .release(quality), channel,
                reason: reject ? "failed inspection" : "inspection passed")
        }
        if !reject { stock.put(taken, at: place) }
    }

    /// A receipt inspected in QC: released after the lab's check, or sent back to the supplier.
    func inspect(_ place: Place, receipt key: String, portions: [Portion], returnRate: Double, channel: Channel) {
        let sendBack = random.chance(returnRate)
        schedule(after: random.int(1...3)) { [self] in
            guard sendBack else {
                decide(place, portions, reject: false, channel: channel)
                return
            }
            let item = item(place.sku)
            var taken: [Portion] = []
            for portion in portions {
                taken += stock.take(portion.quantity, from: place, lot: portion.lot, blocked: true)
            }
            for part in split(item, taken) {
                post(
                    .returnToSupplier(
                        .init(
                            sku: place.sku, qty: part.quantity, from: "\(place.warehouse)/QC", of: key,
                            lot: part.lot, serials: part.serials)),
                    channel, reason: "certificate of analysis out of specification")
            }
            replenish(place)
        }
    }

    // MARK: - Returns

    /// Schedules a customer return of part of a delivery, into QC for inspection.
    func scheduleReturn(_ record: DeliveryRecord, channel: Channel) {
        let item = item(record.place.sku)
        let total = DemoStock.total(record.portions)
        var portions = record.portions
        if item.tracking == .serial {
            portions = Array(portions.prefix(1))
        } else if total > Fixed(1), random.chance(60), portions.count == 1 {
            let whole = max(1, Int(total.micros / Fixed.one) / 2)
            portions[0].quantity = Quantity(whole)
        }
        let quantity = DemoStock.total(portions)
        let rejectRate = item.tracking == .serial ? 55.0 : 20.0
        schedule(after: random.int(3...12)) { [self] in
            let place = record.place
            post(
                .returnFromCustomer(
                    .init(
                        sku: place.sku, qty: quantity, to: "\(place.warehouse)/QC", of: record.key,
                        lot: item.tracking == .lot ? portions.first?.lot : nil,
                        serials: item.tracking == .serial ? portions.compactMap(\.lot) : nil)),
                Channel(actor: "\(place.warehouse.lowercased()).returns", source: channel.source),
                reason: item.tracking == .serial ? "warranty claim" : "customer return")
            stock.put(portions, at: place, blocked: true)
            let reject = random.chance(rejectRate)
            schedule(after: random.int(1...4)) { [self] in
                decide(
                    place, portions, reject: reject,
                    channel: Channel(actor: "\(place.warehouse.lowercased()).quality", source: "wms"))
            }
        }
    }
}

/// A delivery a customer may send (part of) back.
struct DeliveryRecord {
    /// The delivery posting, when a return can refer to it (see `shipOrders`).
    var key: String?
    var place: Place
    var portions: [Portion]
}

/// A reserved order waiting to be shipped in the afternoon.
struct OpenOrder {
    var order: String
    var warehouse: String
    var lines: [(Place, [Portion])]
    var channel: Channel
    /// Whether each line ships as its own delivery (returnable line by line) or the order ships at once.
    var shipByLine: Bool
    var returnRate: Double
}

/// Where a superseded part's demand goes.
struct Redirect {
    var successor: String
    /// One-way: the old part is obsolete. Two-way: it is sold while it lasts.
    var whileStockLasts: Bool
}

/// A finished item's bill of materials.
struct Recipe {
    var plant: String
    var lines: [(sku: String, perUnit: Quantity)]
    var labour: Money
}
