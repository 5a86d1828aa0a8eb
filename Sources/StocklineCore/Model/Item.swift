/// A stocked part or product.
public struct Item: Sendable, Hashable, Codable {
    public enum Tracking: String, Sendable, Hashable, Codable, CaseIterable { case none, lot, serial }
    public enum Lifecycle: String, Sendable, Hashable, Codable, CaseIterable {
        case active
        case phaseOut = "phase_out"
        case obsolete
    }

    /// Terms of one supplier for the item; the first listed is the preferred one.
    public struct Supplier: Sendable, Hashable, Codable {
        public var code: String
        /// Nil: the supplier's own lead time.
        public var leadTimeDays: Int?
        public var price: Money?
        public var minQuantity: Quantity?
        public var multiple: Quantity?
        public init(
            code: String, leadTimeDays: Int? = nil, price: Money? = nil, minQuantity: Quantity? = nil,
            multiple: Quantity? = nil
        ) {
            self.code = code
            self.leadTimeDays = leadTimeDays
            self.price = price
            self.minQuantity = minQuantity
            self.multiple = multiple
        }
    }

    /// One component of a bill of materials: how much of it one unit of the item takes.
    public struct Component: Sendable, Hashable, Codable {
        public var itemID: ItemID
        public var sku: String
        public var quantity: Quantity
        public init(itemID: ItemID, sku: String, quantity: Quantity) {
            self.itemID = itemID
            self.sku = sku
            self.quantity = quantity
        }
    }

    public var id: ItemID
    public var sku: String
    public var name: String
    public var unit: UnitOfMeasure
    /// Extra units such as `box` with how many base units one holds.
    public var packs: [String: Quantity]
    public var tracking: Tracking
    public var lifecycle: Lifecycle
    public var successorID: ItemID?
    public var standardCost: Money?
    /// Per base unit, kg and m³.
    public var weight: Fixed?
    public var volume: Fixed?
    public var gtin: String?
    public var suppliers: [Supplier]
    /// What one unit is made of, for production orders; nil when it is not made here (and in items stored before).
    public var bill: [Component]?
    /// The item category whose accounts its value posts to (see `ChartOfAccounts`).
    public var category: String?

    public init(
        id: ItemID, sku: String, name: String? = nil, unit: UnitOfMeasure, packs: [String: Quantity] = [:],
        tracking: Tracking = .none, lifecycle: Lifecycle = .active, successorID: ItemID? = nil,
        standardCost: Money? = nil, weight: Fixed? = nil, volume: Fixed? = nil, gtin: String? = nil,
        suppliers: [Supplier] = [], category: String? = nil
    ) {
        self.category = category
        self.id = id
        self.sku = sku
        self.name = name ?? sku
        self.unit = unit
        self.packs = packs
        self.tracking = tracking
        self.lifecycle = lifecycle
        self.successorID = successorID
        self.standardCost = standardCost
        self.weight = weight
        self.volume = volume
        self.gtin = gtin
        self.suppliers = suppliers
    }

    /// Converts a quantity given in `unitName` (the base unit, a pack, or a unit of the same category) to base units.
    ///
    /// A quantity finer than the unit it is given in is refused; a conversion between units of a category is rounded
    /// to the base unit's precision (10 lb of an item kept in kg is 4.536 kg).
    public func toBase(_ quantity: Quantity, unitName: String?) throws(StockError) -> Quantity {
        guard let unitName, unitName != unit.name else { return quantity }
        if let pack = packs[unitName] { return quantity.times(pack) }
        guard let other = UnitOfMeasure.builtIn[unitName] else {
            throw .uomMismatch(sku: sku, unit: unitName, base: unit.name)
        }
        guard other.category == unit.category else { throw .uomMismatch(sku: sku, unit: unitName, base: unit.name) }
        guard quantity.isMultiple(of: other.precision) else {
            throw .invalidQuantity(
                sku: sku, quantity: quantity, reason: "is finer than \(other.name)'s precision \(other.precision)")
        }
        return quantity.times(other.factor).divided(by: unit.factor, places: unit.precisionPlaces)
    }
}
