public import Stockline
public import StocklineCore

/// A small inventory world (companies, warehouses, extra locations, items) written in a few lines.
///
/// ``standard`` is the world most service tests start from; build your own when a test needs something else:
///
///     try await TestWorld(
///         companies: [.init("ACME")],
///         warehouses: [.init("WH1", company: "ACME")],
///         items: [.init("P1")]
///     ).build(in: inventory)
public struct TestWorld: Sendable, Hashable {
    public struct CompanySpec: Sendable, Hashable {
        public var code: String
        public var currency: String
        public var costing: CostingMethod

        public init(_ code: String, currency: String = "EUR", costing: CostingMethod = .fifo) {
            self.code = code
            self.currency = currency
            self.costing = costing
        }
    }

    public struct WarehouseSpec: Sendable, Hashable {
        public var code: String
        /// nil: the only company.
        public var company: String?
        public var allowNegative: Bool

        public init(_ code: String, company: String? = nil, allowNegative: Bool = false) {
            self.code = code
            self.company = company
            self.allowNegative = allowNegative
        }
    }

    public struct ItemSpec: Sendable, Hashable {
        public var sku: String
        /// A built-in unit name: `unit`, `kg`, `g`, `t`, `lb`, `l`, `ml`, `m`, `cm`, `mm`.
        public var uom: String
        public var tracking: Item.Tracking
        public var packs: [String: Quantity]
        public var standardCost: Money?
        public var weight: Fixed?
        public var volume: Fixed?

        public init(
            _ sku: String, uom: String = "unit", tracking: Item.Tracking = .none,
            packs: [String: Quantity] = [:], standardCost: Money? = nil, weight: Fixed? = nil,
            volume: Fixed? = nil
        ) {
            self.sku = sku
            self.uom = uom
            self.tracking = tracking
            self.packs = packs
            self.standardCost = standardCost
            self.weight = weight
            self.volume = volume
        }

        /// The item to hand to `Inventory.addItem` (its id is assigned by the store).
        public func item() throws -> Item {
            guard let unit = UnitOfMeasure.builtIn[uom] else {
                throw StockError.validationFailed(field: "uom", reason: "\(uom) is not a built-in unit")
            }
            return Item(
                id: ItemID(0), sku: sku, unit: unit, packs: packs, tracking: tracking,
                standardCost: standardCost, weight: weight, volume: volume)
        }
    }

    public var companies: [CompanySpec]
    public var warehouses: [WarehouseSpec]
    /// Extra internal locations below a warehouse's locations, e.g. `WH1/STOCK/A-01`.
    public var locations: [String]
    public var items: [ItemSpec]

    public init(
        companies: [CompanySpec] = [CompanySpec("ACME")], warehouses: [WarehouseSpec] = [],
        locations: [String] = [], items: [ItemSpec] = []
    ) {
        self.companies = companies
        self.warehouses = warehouses
        self.locations = locations
        self.items = items
    }

    /// One FIFO company `ACME` (EUR) with warehouses `WH1` and `WH2` (negative stock refused) and `NEG` (negative
    /// stock allowed), and the items `P1`, `P2` (units), `OIL` (litres, lot-tracked), `ECU` (serial-tracked),
    /// `BOLT` (units, sold in boxes of 50) and `FLOUR` (kg).
    public static let standard = TestWorld(
        companies: [CompanySpec("ACME")],
        warehouses: [WarehouseSpec("WH1"), WarehouseSpec("WH2"), WarehouseSpec("NEG", allowNegative: true)],
        items: [
            ItemSpec("P1"), ItemSpec("P2"), ItemSpec("OIL", uom: "l", tracking: .lot),
            ItemSpec("ECU", tracking: .serial), ItemSpec("BOLT", packs: ["box": Fixed(50)]),
            ItemSpec("FLOUR", uom: "kg"),
        ])

    /// Creates everything in `inventory`, in order: companies, warehouses, locations, items.
    @discardableResult
    public func build(in inventory: Inventory) async throws -> Catalog {
        for company in companies {
            try await inventory.addCompany(code: company.code, currency: company.currency, costing: company.costing)
        }
        for warehouse in warehouses {
            try await inventory.addWarehouse(
                code: warehouse.code, company: warehouse.company,
                allowNegative: warehouse.allowNegative)
        }
        for path in locations { try await inventory.addLocation(path: path) }
        for spec in items { try await inventory.addItem(try spec.item()) }
        return try await inventory.catalog()
    }
}
