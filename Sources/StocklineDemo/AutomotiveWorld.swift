import StocklineCore

/// Business case (a): an automotive parts maker. Two plants turn bought components, lot-tracked fluids and
/// serialized control units into finished parts; three regional warehouses sell them to the aftermarket; a
/// service-parts channel supplies dealers, where old part numbers are superseded by new ones.
final class AutomotiveWorld {
    static let company = "AUTOPARTS"
    static let plants = ["AP-PLANT1", "AP-PLANT2"]
    static let centres = ["AP-DC-NORTH", "AP-DC-SOUTH", "AP-DC-EAST"]
    static let service = "AP-SERVICE"

    let builder: DemoBuilder
    private(set) var components: [String] = []
    private(set) var finished: [String] = []
    private(set) var bulkFluids: [String] = []
    private(set) var bottled: [String] = []
    private(set) var controlUnits: [String] = []
    private(set) var supersessions: [(old: String, new: String, mode: StockOperation.Supersede.Mode)] = []
    private var plantOf: [String: String] = [:]
    private var alertPlaces: [Place] = []
    /// Whether every regional warehouse carries the whole range, or a third of it each.
    private var wide = true

    var warehouses: [(code: String, kind: Warehouse.Kind)] {
        Self.plants.map { ($0, .plant) } + Self.centres.map { ($0, .distributionCentre) } + [(Self.service, .dealer)]
    }

    /// Sub-locations created below STOCK: put-away bins, and the finished-goods area of each plant.
    var locations: [String] {
        var paths: [String] = []
        for (code, _) in warehouses {
            for bin in builder.bins[code] ?? [] { paths.append("\(code)/STOCK/\(bin)") }
        }
        return paths + Self.plants.map { "\($0)/STOCK/FG" }
    }

    init(builder: DemoBuilder) {
        self.builder = builder
        for plant in Self.plants { builder.bins[plant] = ["RM-A", "RM-B", "RM-C"] }
        for centre in Self.centres { builder.bins[centre] = ["A-01", "A-02", "B-01", "B-02"] }
        builder.bins[Self.service] = ["S-01", "S-02", "S-03"]
    }

    // MARK: - Definition

    func define(_ size: DemoSize, days: Int) {
        wide = size.wide
        defineItems(size)
        defineOutlets()
        planReplenishment()
        scheduleSupersessions(days: days)
    }

    private func defineItems(_ size: DemoSize) {
        var random = builder.random.fork()
        for index in 0..<size.components {
            let kind = AutomotiveNames.components[index % AutomotiveNames.components.count]
            let cents = random.int(kind.cents)
            var item = DemoItem(
                sku: "AP-C\(10_001 + index)",
                name: "\(kind.name), type \(100 + index / AutomotiveNames.components.count)",
                unit: kind.unit, cost: Money(micros: Int64(cents) * 10_000), supplier: "SUP-\(random.int(101...160))",
                leadTimeDays: random.int(3...15), lineQuantity: kind.line, fractional: kind.unit != "unit",
                weight: Fixed(micros: Int64(random.int(5...2_500)) * 1_000),
                gtin: DemoItem.ean13(400_100_000_000 + index), bin: random.int(0...2))
            if let pack = kind.pack {
                item.packs = [pack.name: Quantity(pack.size)]
                item.receivePack = pack.name
            }
            builder.add(item)
            components.append(item.sku)
        }
        for index in 0..<size.bulkFluids {
            let name = AutomotiveNames.fluids[index % AutomotiveNames.fluids.count]
            builder.add(
                DemoItem(
                    sku: "AP-FL\(String(1_001 + index))",
                    name: "\(name), bulk, grade \(index / AutomotiveNames.fluids.count + 1)",
                    unit: "l", tracking: .lot, cost: Money(micros: Int64(random.int(180...950)) * 10_000),
                    packs: ["drum": Quantity(208), "ibc": Quantity(1_000)], receivePack: "drum",
                    shelfLifeMonths: random.int(24...36), supplier: "SUP-\(random.int(201...210))",
                    leadTimeDays: random.int(4...10), lineQuantity: 1...5, fractional: true, bin: random.int(0...2)))
            bulkFluids.append("AP-FL\(1_001 + index)")
        }
        for index in 0..<size.bottledFluids {
            let name = AutomotiveNames.fluids[index % AutomotiveNames.fluids.count]
            let litres = [1, 1, 5][index % 3]
            builder.add(
                DemoItem(
                    sku: "AP-FB\(1_001 + index)", name: "\(name), \(litres) l \(litres == 1 ? "bottle" : "canister")",
                    unit: "unit", tracking: .lot, cost: Money(micros: Int64(random.int(350...2_900) * litres) * 10_000),
                    packs: ["carton": Quantity(litres == 1 ? 12 : 4)], shelfLifeMonths: random.int(24...48),
                    supplier: "SUP-\(random.int(201...210))", leadTimeDays: random.int(4...10), lineQuantity: 1...12,
                    gtin: DemoItem.ean13(400_200_000_000 + index), bin: random.int(0...3)))
            bottled.append("AP-FB\(1_001 + index)")
        }
        for index in 0..<size.controlUnits {
            let name = AutomotiveNames.controlUnits[index % AutomotiveNames.controlUnits.count]
            builder.add(
                DemoItem(
                    sku: "AP-ECU\(101 + index)", name: "\(name), gen \(3 + index / AutomotiveNames.controlUnits.count)",
                    unit: "unit", tracking: .serial, cost: Money(micros: Int64(random.int(9_000...65_000)) * 10_000),
                    supplier: "SUP-\(random.int(301...306))", leadTimeDays: random.int(8...20), lineQuantity: 1...1,
                    weight: Fixed(micros: Int64(random.int(250...1_400)) * 1_000), bin: random.int(0...2)))
            controlUnits.append("AP-ECU\(101 + index)")
        }
        defineFinished(size, random: &random)
        for index in 0..<size.supersededPairs {
            let name = AutomotiveNames.serviceParts[index % AutomotiveNames.serviceParts.count]
            let cents = random.int(600...14_000)
            for revision in ["A", "B"] {
                builder.add(
                    DemoItem(
                        sku: "AP-S\(30_001 + index)-\(revision)", name: "\(name), rev. \(revision)", unit: "unit",
                        cost: Money(micros: Int64(cents + (revision == "B" ? cents / 20 : 0)) * 10_000),
                        supplier: "SUP-\(random.int(401...420))", leadTimeDays: random.int(3...12), lineQuantity: 1...4,
                        gtin: DemoItem.ean13(400_300_000_000 + index * 2 + (revision == "B" ? 1 : 0)),
                        bin: random.int(0...3)))
            }
            supersessions.append(
                ("AP-S\(30_001 + index)-A", "AP-S\(30_001 + index)-B", index % 2 == 0 ? .twoWay : .oneWay))
        }
    }

    private func defineFinished(_ size: DemoSize, random: inout DemoRandom) {
        let pools = Self.plants.indices.map { plant in
            components.enumerated().filter { index, _ in
                let slot = index % 10
                return (wide && slot == 9) || (plant == 0 ? slot < 5 : (5..<(wide ? 9 : 10)).contains(slot))
            }.map(\.element)
        }
        for index in 0..<size.finished {
            let stem = AutomotiveNames.finished[index % AutomotiveNames.finished.count]
            let variant = AutomotiveNames.variants[
                (index / AutomotiveNames.finished.count) % AutomotiveNames.variants.count]
            let sku = "AP-F\(20_001 + index)"
            let plant = Self.plants[index % Self.plants.count]
            var lines: [(sku: String, perUnit: Quantity)] = []
            for component in random.sample(pools[index % pools.count], count: random.int(3...6)) {
                let item = builder.item(component)
                let perUnit =
                    item.unit == "unit"
                    ? Quantity(random.int(1...(item.receivePack == nil ? 3 : 8)))
                    : Quantity(micros: Int64(random.int(5...250)) * 10_000)
                lines.append((component, perUnit))
            }
            if random.chance(30), let fluid = random.element(of: bulkFluids) {
                lines.append((fluid, Quantity(micros: Int64(random.int(2...25)) * 100_000)))
            }
            if random.chance(9), let unit = random.element(of: controlUnits) { lines.append((unit, Fixed(1))) }
            let labour = Money(micros: Int64(random.int(400...4_000)) * 10_000)
            builder.recipes[sku] = Recipe(plant: plant, lines: lines, labour: labour)
            let materials = lines.reduce(Money.zero) { $0 + builder.item($1.sku).cost.times($1.perUnit, places: 4) }
            builder.add(
                DemoItem(
                    sku: sku, name: "\(stem), \(variant)", unit: "unit", cost: (materials + labour).rounded(places: 2),
                    supplier: plant, leadTimeDays: 5, lineQuantity: 1...4,
                    weight: Fixed(micros: Int64(random.int(300...18_000)) * 1_000),
                    volume: Fixed(micros: Int64(random.int(1...60)) * 1_000),
                    gtin: DemoItem.ean13(400_400_000_000 + index),
                    bin: random.int(0...3)))
            finished.append(sku)
            plantOf[sku] = plant
        }
    }

    private func defineOutlets() {
        var random = builder.random.fork()
        let oldParts = supersessions.map(\.old)
        let centreRange: ClosedRange<Int> = 18...32
        for (region, centre) in Self.centres.enumerated() {
            func regional(_ skus: [String]) -> [String] {
                wide ? skus : skus.enumerated().filter { $0.offset % Self.centres.count == region }.map(\.element)
            }
            let skus = regional(finished) + (region == 0 ? bottled : regional(bottled)) + regional(oldParts)
            builder.outlets.append(
                Outlet(
                    warehouse: centre, skus: skus, hot: random.sample(skus, count: max(1, skus.count / 5)),
                    linesPerDay: centreRange, linesPerOrder: 1...5, reservedShare: 40, shipByLine: false,
                    orderPrefix: "SO",
                    channel: Channel(actor: "order-desk", source: "erp"), returnRate: 2))
        }
        let serviceParts = components.enumerated().filter { $0.offset % (wide ? 5 : 10) == 2 }.map(\.element)
        let serviceSKUs =
            serviceParts + oldParts + bottled + controlUnits
            + finished.enumerated().filter { $0.offset % (wide ? 3 : 6) == 0 }.map(\.element)
        builder.outlets.append(
            Outlet(
                warehouse: Self.service, skus: serviceSKUs,
                hot: random.sample(serviceSKUs, count: max(1, serviceSKUs.count / 5)),
                linesPerDay: 20...36, linesPerOrder: 1...4, reservedShare: 60, shipByLine: false, orderPrefix: "DLR",
                channel: Channel(actor: "dealer-portal", source: "dealer-portal"), returnRate: 3))
        for plant in Self.plants {
            let series = finished.enumerated().filter { plantOf[$0.element] == plant && $0.offset % 4 < 2 }.map(
                \.element)
            builder.outlets.append(
                Outlet(
                    warehouse: plant, skus: series, hot: random.sample(series, count: max(1, series.count / 4)),
                    linesPerDay: 3...7, linesPerOrder: 1...3, reservedShare: 0, shipByLine: false, orderPrefix: "CO",
                    channel: Channel(actor: "oem-call-off", source: "edi"), quantityFactor: 10, returnRate: 0.5))
        }
    }

    /// Sizes every replenishment rule from the outlets' demand, downstream first.
    private func planReplenishment() {
        builder.addOutletRates()
        let north = Self.centres[0], south = Self.centres[1]
        let service = Self.service
        for sku in finished + bottled + supersessions.map(\.old) + components + controlUnits {
            let place = Place(warehouse: service, sku: sku)
            guard (builder.rates[place] ?? 0) > 0 else { continue }
            if finished.contains(sku) {
                builder.propagate(place, to: south)
                builder.plan(place, .warehouse(south, days: 2), cover: 20, safety: 4)
            } else if bottled.contains(sku) {
                builder.propagate(place, to: north)
                builder.plan(place, .warehouse(north, days: 1), cover: 20, safety: 4)
            } else {
                builder.plan(place, .supplier(inspect: false), cover: 30, safety: 4)
            }
        }
        for centre in Self.centres {
            for sku in bottled where centre != north {
                let place = Place(warehouse: centre, sku: sku)
                guard (builder.rates[place] ?? 0) > 0 else { continue }
                builder.propagate(place, to: north)
                builder.plan(place, .warehouse(north, days: 1), cover: 20, safety: 4)
            }
        }
        for centre in Self.centres {
            for sku in finished {
                guard let plant = plantOf[sku] else { continue }
                let place = Place(warehouse: centre, sku: sku)
                guard (builder.rates[place] ?? 0) > 0 else { continue }
                builder.propagate(place, to: plant)
                builder.plan(place, .warehouse(plant, days: 2), cover: 20, safety: 4)
            }
            for sku in supersessions.map(\.old) + (centre == north ? bottled : []) {
                let place = Place(warehouse: centre, sku: sku)
                guard (builder.rates[place] ?? 0) > 0 else { continue }
                builder.plan(place, .supplier(inspect: false), cover: 30, safety: 4)
            }
        }
        for plant in Self.plants {
            for sku in finished where plantOf[sku] == plant {
                builder.plan(Place(warehouse: plant, sku: sku), .production(plant), cover: 12, safety: 3, minimum: 10)
            }
            builder.explode(plant)
            for sku in components + bulkFluids + controlUnits {
                let place = Place(warehouse: plant, sku: sku)
                guard (builder.rates[place] ?? 0) > 0 else { continue }
                builder.plan(place, .supplier(inspect: bulkFluids.contains(sku)), cover: 30, safety: 4)
            }
            builder.coverOrders(at: plant)
            builder.sizeCapacity(plant)
            for sku in finished where plantOf[sku] == plant { alertPlaces.append(Place(warehouse: plant, sku: sku)) }
        }
        for centre in Self.centres {
            alertPlaces += finished.map { Place(warehouse: centre, sku: $0) }.filter { builder.policies[$0] != nil }
        }
    }

    /// Each pair's successor is stocked ten days ahead; then the old part is superseded, one-way (retired, its
    /// leftovers in the regional warehouses written off) or two-way (sold while it lasts).
    private func scheduleSupersessions(days: Int) {
        var random = builder.random.fork()
        let builder = self.builder
        let engineering = Channel(actor: "engineering-change", source: "plm")
        for pair in supersessions {
            let effective = random.int((days / 5)...max(days / 5, days * 3 / 4))
            let places = builder.policyOrder.filter { $0.sku == pair.old }
            builder.agenda[max(1, effective - 10), default: []].append {
                for place in places {
                    guard let policy = builder.policies[place] else { continue }
                    let successor = Place(warehouse: place.warehouse, sku: pair.new)
                    builder.rates[successor] = builder.rates[place]
                    builder.addPolicy(successor, policy)
                    builder.replenish(successor)
                }
            }
            builder.agenda[effective, default: []].append {
                builder.post(
                    .supersede(.init(old: pair.old, new: pair.new, mode: pair.mode)), engineering,
                    reason: "engineering change ECN-\(pair.old.dropFirst(4).prefix(5))")
                builder.redirects[pair.old] = Redirect(successor: pair.new, whileStockLasts: pair.mode == .twoWay)
                for place in places { builder.policies[place] = nil }
                guard pair.mode == .oneWay else { return }
                builder.schedule(after: 10) {
                    for place in places where place.warehouse != Self.service {
                        let left = builder.stock.available(place)
                        guard left.isPositive else { continue }
                        builder.remove(
                            place.sku, left, from: place.warehouse, as: .scrap,
                            channel: Channel(actor: "inventory-control", source: "erp"),
                            reason: "write-off: superseded by \(pair.new)")
                    }
                }
            }
        }
    }

    // MARK: - A business day

    func run(_ day: DemoDay, isLast: Bool) {
        builder.begin(day)
        if day.isMonthEnd {
            builder.countCycle(percent: 12, in: Set(warehouses.map(\.code)), differenceRate: 10)
        }
        if day.weekday == 1 { builder.review() }
        for plant in Self.plants { builder.runProduction(plant) }
        for outlet in builder.outlets { builder.runOutlet(outlet) }
        if builder.random.chance(35) { builder.qualityAlert(in: alertPlaces, rejectRate: 25) }
        if !isLast { builder.shipOrders() }
    }
}
