import StocklineCore

/// Business case (b): a regional distributor of electrical and heating supplies. A central warehouse buys and
/// refills two regional ones; a light assembly site builds installation kits; an eCommerce channel run by a 3PL
/// ships web orders (and takes returns); field-service vans are topped up weekly and counted monthly.
final class DistributorWorld {
    static let company = "DISTRIB"
    static let central = "D-DC-CENTRAL"
    static let regional = ["D-DC-WEST", "D-DC-EAST"]
    static let assembly = "D-ASSEMBLY"
    static let ecommerce = "D-ECOM"

    let builder: DemoBuilder
    let vans: [String]
    private(set) var cables: [String] = []
    private(set) var consumables: [String] = []
    private(set) var chemicals: [String] = []
    private(set) var equipment: [String] = []
    private(set) var kits: [String] = []
    private var vanHome: [String: String] = [:]
    private var alertPlaces: [Place] = []
    private var revaluationDay = 0

    static var centres: [String] { [central] + regional }

    var warehouses: [(code: String, kind: Warehouse.Kind)] {
        Self.centres.map { ($0, .distributionCentre) } + [
            (Self.assembly, .plant), (Self.ecommerce, .thirdPartyLogistics),
        ]
            + vans.map { ($0, .serviceVan) }
    }

    var locations: [String] {
        var paths: [String] = []
        for (code, _) in warehouses {
            for bin in builder.bins[code] ?? [] { paths.append("\(code)/STOCK/\(bin)") }
        }
        return paths + ["\(Self.assembly)/STOCK/FG"]
    }

    private var vanItems = 40

    init(builder: DemoBuilder, vans count: Int) {
        self.builder = builder
        vans = (1...max(1, count)).map { "D-VAN-\($0 < 10 ? "0" : "")\($0)" }
        for centre in Self.centres { builder.bins[centre] = ["AISLE-01", "AISLE-02", "AISLE-03"] }
        builder.bins[Self.ecommerce] = ["PICK-A", "PICK-B"]
        builder.bins[Self.assembly] = ["KIT-IN"]
        for (index, van) in vans.enumerated() { vanHome[van] = Self.centres[index % Self.centres.count] }
    }

    // MARK: - Definition

    func define(_ size: DemoSize, days: Int) {
        vanItems = size.vanItems
        defineItems(size)
        defineOutlets()
        planReplenishment()
        revaluationDay = days * 3 / 5
    }

    private func defineItems(_ size: DemoSize) {
        var random = builder.random.fork()
        func bought(_ kinds: [ComponentKind], count: Int, prefix: String, gtinBase: Int) -> [String] {
            (0..<count).map { index in
                let kind = kinds[index % kinds.count]
                var item = DemoItem(
                    sku: "DB-\(prefix)\(1_001 + index)", name: "\(kind.name), range \(index / kinds.count + 1)",
                    unit: kind.unit, cost: Money(micros: Int64(random.int(kind.cents)) * 10_000),
                    supplier: "VND-\(random.int(11...40))", leadTimeDays: random.int(2...12), lineQuantity: kind.line,
                    fractional: kind.unit != "unit", weight: Fixed(micros: Int64(random.int(20...9_000)) * 1_000),
                    gtin: DemoItem.ean13(gtinBase + index), bin: random.int(0...2))
                if let pack = kind.pack {
                    item.packs = [pack.name: Quantity(pack.size)]
                    item.receivePack = pack.name
                }
                builder.add(item)
                return item.sku
            }
        }
        cables = bought(DistributorNames.cables, count: size.cables, prefix: "CB", gtinBase: 401_000_000_000)
        consumables =
            bought(DistributorNames.fasteners, count: size.fasteners, prefix: "FX", gtinBase: 401_100_000_000)
            + bought(DistributorNames.electrical, count: size.electrical, prefix: "EL", gtinBase: 401_200_000_000)
            + bought(DistributorNames.hvac, count: size.hvac, prefix: "HV", gtinBase: 401_300_000_000)
        for index in 0..<size.chemicals {
            let name = DistributorNames.chemicals[index % DistributorNames.chemicals.count]
            let sku = "DB-CH\(1_001 + index)"
            builder.add(
                DemoItem(
                    sku: sku, name: "\(name), batch grade \(index / DistributorNames.chemicals.count + 1)", unit: "kg",
                    tracking: .lot, cost: Money(micros: Int64(random.int(900...4_500)) * 10_000),
                    packs: ["cylinder": Quantity(10)], receivePack: "cylinder", shelfLifeMonths: random.int(24...48),
                    supplier: "VND-\(random.int(41...45))", leadTimeDays: random.int(5...10), lineQuantity: 1...9,
                    fractional: true, bin: random.int(0...2)))
            chemicals.append(sku)
        }
        for index in 0..<size.equipment {
            let name = DistributorNames.equipment[index % DistributorNames.equipment.count]
            let sku = "DB-EQ\(1_001 + index)"
            builder.add(
                DemoItem(
                    sku: sku, name: "\(name), model \(2025 + index / DistributorNames.equipment.count)", unit: "unit",
                    tracking: .serial, cost: Money(micros: Int64(random.int(45_000...480_000)) * 10_000),
                    supplier: "VND-\(random.int(46...50))", leadTimeDays: random.int(6...20), lineQuantity: 1...1,
                    weight: Fixed(micros: Int64(random.int(8_000...120_000)) * 1_000),
                    gtin: DemoItem.ean13(401_400_000_000 + index), bin: random.int(0...2)))
            equipment.append(sku)
        }
        for index in 0..<size.kits {
            let name = DistributorNames.kits[index % DistributorNames.kits.count]
            let sku = "DB-KT\(1_001 + index)"
            var lines: [(sku: String, perUnit: Quantity)] = []
            for component in random.sample(consumables, count: random.int(3...5)) {
                lines.append((component, Quantity(random.int(1...4))))
            }
            if let cable = random.element(of: cables) {
                lines.append((cable, Quantity(micros: Int64(random.int(10...80)) * 250_000)))
            }
            let labour = Money(micros: Int64(random.int(400...1_500)) * 10_000)
            builder.recipes[sku] = Recipe(plant: Self.assembly, lines: lines, labour: labour)
            let materials = lines.reduce(Money.zero) { $0 + builder.item($1.sku).cost.times($1.perUnit, places: 4) }
            builder.add(
                DemoItem(
                    sku: sku, name: "\(name), variant \(index / DistributorNames.kits.count + 1)", unit: "unit",
                    cost: (materials + labour).rounded(places: 2), supplier: Self.assembly, leadTimeDays: 2,
                    lineQuantity: 1...3, gtin: DemoItem.ean13(401_500_000_000 + index), bin: random.int(0...2)))
            kits.append(sku)
        }
    }

    private func defineOutlets() {
        var random = builder.random.fork()
        for centre in Self.centres {
            let skus = cables + consumables + chemicals + equipment + kits
            builder.outlets.append(
                Outlet(
                    warehouse: centre, skus: skus, hot: random.sample(skus, count: max(1, skus.count / 5)),
                    linesPerDay: 10...20, linesPerOrder: 1...4, reservedShare: 25, shipByLine: false, orderPrefix: "TC",
                    channel: Channel(actor: "trade-counter", source: "pos"), returnRate: 1.5))
        }
        let web = consumables + kits + cables.prefix(max(1, cables.count / 2))
        builder.outlets.append(
            Outlet(
                warehouse: Self.ecommerce, skus: web, hot: random.sample(web, count: max(1, web.count / 6)),
                linesPerDay: 25...45, linesPerOrder: 1...3, reservedShare: 100, shipByLine: true, orderPrefix: "WEB",
                channel: Channel(actor: "webshop", source: "shop"), returnRate: 7))
        for van in vans {
            let assortment =
                random.sample(consumables, count: min(consumables.count, vanItems))
                + random.sample(equipment, count: min(equipment.count, 2))
            builder.outlets.append(
                Outlet(
                    warehouse: van, skus: assortment,
                    hot: random.sample(assortment, count: max(1, assortment.count / 4)),
                    linesPerDay: 2...5, linesPerOrder: 1...2, reservedShare: 0, shipByLine: false, orderPrefix: "FS",
                    channel: Channel(actor: "technician.\(van.lowercased())", source: "field-app"), returnRate: 0))
        }
    }

    /// Sizes every rule from demand, downstream first: vans, web shop and regional warehouses draw on the
    /// centre (kits on the assembly site), the assembly site's components on the centre, the centre on suppliers.
    private func planReplenishment() {
        builder.addOutletRates()
        let central = Self.central
        for van in vans {
            guard let home = vanHome[van] else { continue }
            for place in builder.policyOrderCandidates(at: van) {
                builder.propagate(place, to: home)
                builder.plan(place, .warehouse(home, days: 0), cover: 5, safety: 3, weeklyOnly: true)
            }
        }
        for sku in kits {
            for warehouse in Self.centres + [Self.ecommerce] {
                let place = Place(warehouse: warehouse, sku: sku)
                builder.propagate(place, to: Self.assembly)
                builder.plan(place, .warehouse(Self.assembly, days: 1), cover: 20, safety: 3)
            }
        }
        for place in builder.policyOrderCandidates(at: Self.ecommerce) where !kits.contains(place.sku) {
            builder.propagate(place, to: central)
            builder.plan(place, .warehouse(central, days: 1), cover: 20, safety: 3)
        }
        for regional in Self.regional {
            for place in builder.policyOrderCandidates(at: regional) where !kits.contains(place.sku) {
                let direct = cables.contains(place.sku) || equipment.contains(place.sku)
                if !direct { builder.propagate(place, to: central) }
                builder.plan(
                    place, direct ? .supplier(inspect: false) : .warehouse(central, days: 2), cover: 20, safety: 4)
            }
        }
        for sku in kits {
            builder.plan(
                Place(warehouse: Self.assembly, sku: sku), .production(Self.assembly), cover: 10, safety: 3,
                minimum: 5)
        }
        builder.explode(Self.assembly)
        for place in builder.policyOrderCandidates(at: Self.assembly) where !kits.contains(place.sku) {
            builder.propagate(place, to: central)
            builder.plan(place, .warehouse(central, days: 0), cover: 10, safety: 3)
        }
        builder.coverOrders(at: Self.assembly)
        builder.sizeCapacity(Self.assembly)
        for place in builder.policyOrderCandidates(at: central) where !kits.contains(place.sku) {
            builder.plan(place, .supplier(inspect: chemicals.contains(place.sku)), cover: 30, safety: 4)
        }
        for centre in Self.centres {
            alertPlaces += (consumables + equipment).map { Place(warehouse: centre, sku: $0) }
        }
    }

    // MARK: - A business day

    func run(_ day: DemoDay, isLast: Bool) {
        builder.begin(day)
        if day.isMonthEnd {
            builder.countCycle(percent: 100, in: Set(vans), differenceRate: 20)
            builder.countCycle(percent: 12, in: Set(Self.centres + [Self.assembly, Self.ecommerce]), differenceRate: 8)
        }
        if day.index == revaluationDay { revalue() }
        if day.weekday == 1 { builder.review() }
        builder.runProduction(Self.assembly)
        for outlet in builder.outlets { builder.runOutlet(outlet) }
        if builder.random.chance(25) { builder.qualityAlert(in: alertPlaces, rejectRate: 30) }
        if builder.random.chance(30) { damage() }
        if !isLast { builder.shipOrders() }
    }

    /// A supplier's new price list: the average cost of some items is set to the new price.
    private func revalue() {
        let channel = Channel(actor: "purchasing", source: "erp")
        for sku in builder.random.sample(consumables, count: max(1, consumables.count / 10)) {
            let item = builder.item(sku)
            let price = item.cost.times(Fixed(micros: Int64(builder.random.int(1_030_000...1_090_000))), places: 4)
            builder.post(
                .setCost(.init(sku: sku, unitCost: price, company: Self.company)), channel,
                reason: "supplier price list, second half")
            builder.items[sku]?.cost = price
        }
    }

    /// Something broken in a warehouse is scrapped.
    private func damage() {
        guard let place = builder.random.element(of: alertPlaces), builder.stock.available(place) >= Fixed(1),
            !equipment.contains(place.sku)
        else { return }
        builder.remove(
            place.sku, Fixed(1), from: place.warehouse, as: .scrap,
            channel: Channel(actor: "\(place.warehouse.lowercased()).supervisor", source: "wms"),
            reason: "damaged in handling")
    }
}

extension DemoBuilder {
    /// The items with expected demand at a warehouse, in definition order.
    func policyOrderCandidates(at warehouse: String) -> [Place] {
        itemOrder.map { Place(warehouse: warehouse, sku: $0) }.filter { (rates[$0] ?? 0) > 0 }
    }
}
