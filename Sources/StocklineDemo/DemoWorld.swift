import Foundation
public import Stockline
import StocklineCore
import StocklineStore

/// How big a demo world to build.
public enum DemoScale: String, Sendable, CaseIterable, Codable {
    /// One month and about a hundred items: for tests and a quick look (a few seconds).
    case small
    /// A year, about 2,000 parts at the parts maker and a few hundred at the distributor, with regional
    /// assortments and a modest daily volume, so that it builds in well under half a minute in a debug build.
    case `default`
    /// The same year at full volume: every warehouse carries the whole range, about 170,000 postings.
    /// Meant for release builds, benchmarks and load tests (minutes in a debug build).
    case large

    var size: DemoSize {
        switch self {
        case .small:
            DemoSize(
                months: 1, volume: 0.2, wide: false, counting: 0.5, components: 40, finished: 16, bulkFluids: 3,
                bottledFluids: 4, controlUnits: 2, supersededPairs: 4, cables: 2, fasteners: 8, electrical: 6,
                hvac: 4, chemicals: 2, equipment: 2, kits: 3, vans: 2, vanItems: 10)
        case .default:
            DemoSize(
                months: 12, volume: 0.045, wide: false, counting: 0.08, components: 1_200, finished: 480,
                bulkFluids: 40, bottledFluids: 60, controlUnits: 30, supersededPairs: 80, cables: 20, fasteners: 80,
                electrical: 70, hvac: 40, chemicals: 10, equipment: 10, kits: 20, vans: 6, vanItems: 20)
        case .large:
            DemoSize(
                months: 12, volume: 1, wide: true, counting: 1, components: 1_200, finished: 480, bulkFluids: 40,
                bottledFluids: 60, controlUnits: 30, supersededPairs: 80, cables: 30, fasteners: 110,
                electrical: 100, hvac: 60, chemicals: 15, equipment: 15, kits: 25, vans: 8, vanItems: 40)
        }
    }
}

/// The dimensions of a demo world.
struct DemoSize {
    var months: Int
    /// Multiplies the number of order lines per day.
    var volume: Double
    /// Whether every regional warehouse carries the whole range (otherwise each carries its region's share).
    var wide: Bool
    /// Multiplies the share of stock counted at each month end.
    var counting: Double
    var components, finished, bulkFluids, bottledFluids, controlUnits, supersededPairs: Int
    var cables, fasteners, electrical, hvac, chemicals, equipment, kits, vans, vanItems: Int
}

/// What `buildDemoWorld` built: enough to print a summary and to point a person at interesting items.
public struct DemoSummary: Sendable, Codable {
    public struct CompanySummary: Sendable, Codable {
        public var code: String
        public var costing: String
        public var warehouses: [String]
        public var items: Int
        public var postings: Int
    }

    /// An item worth a look, and why.
    public struct Example: Sendable, Codable {
        public var sku: String
        public var note: String
    }

    public var scale: DemoScale
    public var seed: UInt64
    public var firstDay: String
    public var lastDay: String
    public var businessDays: Int
    public var companies: [CompanySummary]
    public var warehouses: Int
    public var items: Int
    /// Postings the ledger accepted and refused.
    public var postings: Int
    public var refused: Int
    public var refusals: [String: Int]
    /// The first few refusals, to diagnose a generator that plans something the ledger will not take.
    public var refusalSamples: [String]
    public var postingsByKind: [String: Int]
    public var moves: Int
    public var events: Int
    /// Order lines that found no stock and were not placed.
    public var lostLines: Int
    public var examples: [Example]
    public var seconds: Double
}

/// Builds the demo world into an empty ledger: the automotive parts maker and the regional distributor, posting
/// a year of business day by day through `Inventory.postBatch`, the same service every door uses.
///
/// The same `seed` and `scale` give the same ledger: every number is drawn from a seeded generator, every posting
/// has a counting key and a time from `clock` (pass `clock.environment` to the `Inventory` as well). The generator
/// keeps its own picture of the stock and plans only what the ledger should accept; refusals are counted in the
/// summary, not hidden. `progress` receives a line per phase and per month.
public func buildDemoWorld(
    into inventory: Inventory, scale: DemoScale = .default, seed: UInt64 = 2025, clock: DemoClock = DemoClock(),
    progress: @Sendable (String) -> Void = { _ in }
) async throws -> DemoSummary {
    let started = ContinuousClock.now
    let seconds = { () -> Double in
        let duration = (ContinuousClock.now - started).components
        return Double(duration.seconds) + Double(duration.attoseconds) / 1e18
    }
    let elapsed = { String(format: "%.1f s", seconds()) }
    let size = scale.size
    let days = DemoCalendar.businessDays(from: DemoClock.start, months: size.months)
    let poster = DemoPoster(inventory: inventory, clock: clock)
    var random = DemoRandom(seed: seed)
    let parts = DemoBuilder(
        name: "automotive parts maker", company: AutomotiveWorld.company, poster: poster,
        random: random.fork())
    let trade = DemoBuilder(
        name: "regional distributor", company: DistributorWorld.company, poster: poster,
        random: random.fork())
    for builder in [parts, trade] {
        builder.volume = size.volume
        builder.counting = size.counting
    }
    let automotive = AutomotiveWorld(builder: parts)
    let distributor = DistributorWorld(builder: trade, vans: size.vans)
    automotive.define(size, days: days.count)
    distributor.define(size, days: days.count)

    progress(
        "creating master data: 2 companies, \(automotive.warehouses.count + distributor.warehouses.count) warehouses, "
            + "\(parts.itemOrder.count + trade.itemOrder.count) items")
    try await createMasterData(
        inventory, parts, costing: .fifo, warehouses: automotive.warehouses,
        locations: automotive.locations, progress: progress)
    try await createMasterData(
        inventory, trade, costing: .average, warehouses: distributor.warehouses,
        locations: distributor.locations, progress: progress)

    progress("posting opening balances (\(elapsed()))")
    clock.set(DemoClock.start - 12 * 3_600)
    parts.openingBalances()
    trade.openingBalances()
    try await poster.flush(all: true)

    for (index, day) in days.enumerated() {
        clock.set(day.morning)
        let isLast = index == days.count - 1
        automotive.run(day, isLast: isLast)
        distributor.run(day, isLast: isLast)
        let remaining = days.count - 1 - index
        for builder in [parts, trade] where remaining < 10 {
            builder.placePurchaseOrders(on: day, remaining: remaining)
            if isLast {
                builder.takeBackorders(on: day)
                builder.orderShortKits(on: day)
            }
        }
        try await poster.flush()
        if day.isMonthEnd {
            try await poster.flush(all: true)
            progress(
                "month \(day.month)/\(size.months): \(poster.accepted) postings "
                    + "(automotive parts maker \(parts.postings), regional distributor \(trade.postings)), "
                    + "\(poster.refused) refused (\(elapsed()))")
        }
    }
    try await poster.flush(all: true)

    let counts = try await inventory.store.counts()
    return DemoSummary(
        scale: scale, seed: seed, firstDay: days.first?.text ?? "", lastDay: days.last?.text ?? "",
        businessDays: days.count,
        companies: [
            .init(
                code: AutomotiveWorld.company, costing: "fifo", warehouses: automotive.warehouses.map(\.code),
                items: parts.itemOrder.count, postings: parts.postings),
            .init(
                code: DistributorWorld.company, costing: "average", warehouses: distributor.warehouses.map(\.code),
                items: trade.itemOrder.count, postings: trade.postings),
        ],
        warehouses: automotive.warehouses.count + distributor.warehouses.count, items: counts.items,
        postings: poster.accepted, refused: poster.refused, refusals: poster.refusals, refusalSamples: poster.samples,
        postingsByKind: poster.kinds, moves: counts.moves, events: counts.events,
        lostLines: parts.lostLines + trade.lostLines,
        examples: examples(automotive, distributor),
        seconds: seconds())
}

private func createMasterData(
    _ inventory: Inventory, _ builder: DemoBuilder, costing: CostingMethod,
    warehouses: [(code: String, kind: Warehouse.Kind)], locations: [String], progress: @Sendable (String) -> Void
) async throws {
    try await inventory.addCompany(code: builder.company, currency: "EUR", costing: costing)
    for warehouse in warehouses {
        try await inventory.addWarehouse(code: warehouse.code, company: builder.company, kind: warehouse.kind)
    }
    for path in locations { try await inventory.addLocation(path: path) }
    let suppliers = Dictionary(grouping: builder.itemOrder.map { builder.item($0) }, by: \.supplier)
    for (code, items) in suppliers.sorted(by: { $0.key < $1.key }) {
        let days = items.map(\.leadTimeDays).sorted()
        try await inventory.addPartner(code: code, role: .supplier, leadDays: days[days.count / 2])
    }
    for code in builder.customers { try await inventory.addPartner(code: code, role: .customer) }
    for (index, sku) in builder.itemOrder.enumerated() {
        try await inventory.addItem(builder.item(sku).masterData())
        if (index + 1) % 500 == 0 { progress("  \(builder.name): \(index + 1)/\(builder.itemOrder.count) items") }
    }
    for (sku, recipe) in builder.recipes.sorted(by: { $0.key < $1.key }) {
        try await inventory.setBill(sku: sku, components: recipe.lines.map { ($0.sku, $0.perUnit) })
    }
}

/// Items that show the ledger's features at the end of the year.
private func examples(_ automotive: AutomotiveWorld, _ distributor: DistributorWorld) -> [DemoSummary.Example] {
    var examples: [DemoSummary.Example] = []
    let parts = automotive.builder
    let inTransit = parts.pipeline.filter { $0.value.isPositive && AutomotiveWorld.centres.contains($0.key.warehouse) }
        .keys.sorted { ($0.sku, $0.warehouse) < ($1.sku, $1.warehouse) }
    if let place = inTransit.first {
        examples.append(.init(sku: place.sku, note: "finished part made at a plant, on its way to \(place.warehouse)"))
    }
    if let open = (parts.openOrders + distributor.builder.openOrders).first, let line = open.lines.first {
        examples.append(
            .init(sku: line.0.sku, note: "reserved for order \(open.order) at \(open.warehouse), not yet shipped"))
    }
    if let fluid = automotive.bulkFluids.first {
        examples.append(
            .init(sku: fluid, note: "lot-tracked fluid, bought in drums, inspected in QC, used by the litre"))
    }
    if let unit = automotive.controlUnits.first {
        examples.append(.init(sku: unit, note: "serialized control unit (`stockline moves` shows the serial flow)"))
    }
    if let pair = automotive.supersessions.first(where: { $0.mode == .oneWay }) {
        examples.append(
            .init(sku: pair.old, note: "retired one-way by \(pair.new); leftovers stay at \(AutomotiveWorld.service)"))
    }
    if let cable = distributor.cables.first {
        examples.append(.init(sku: cable, note: "cable sold cut to length, average cost"))
    }
    if let kit = distributor.kits.first {
        examples.append(
            .init(sku: kit, note: "kit assembled at \(DistributorWorld.assembly), sold through the web shop"))
    }
    return examples
}
