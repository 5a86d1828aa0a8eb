/// A node of the location tree. Virtual locations (suppliers, customers, scrap …) make every move double-entry.
public struct Location: Sendable, Hashable, Codable {
    public enum Usage: String, Sendable, Hashable, Codable, CaseIterable {
        case `internal`, view, supplier, customer, production, scrap, adjustment, transit
    }

    public var id: LocationID
    /// Slash-separated, e.g. `WH1/STOCK/A-01`.
    public var path: String
    public var usage: Usage
    public var parentID: LocationID?
    public var warehouseID: WarehouseID?

    public init(id: LocationID, path: String, usage: Usage, parentID: LocationID?, warehouseID: WarehouseID?) {
        self.id = id
        self.path = path
        self.usage = usage
        self.parentID = parentID
        self.warehouseID = warehouseID
    }

    /// Whether stock here belongs to a warehouse's on-hand stock.
    public var isInternal: Bool { usage == .internal }

    /// Whether `other` is this location or below it.
    public func contains(_ other: Location) -> Bool {
        other.path == path || other.path.hasPrefix(path + "/")
    }

    /// The paths of the virtual locations every ledger has.
    public enum Virtual {
        public static let supplier = "Partners/Suppliers"
        public static let customer = "Partners/Customers"
        public static let production = "Virtual/Production"
        public static let scrap = "Virtual/Scrap"
        public static let adjustment = "Virtual/Inventory adjustment"
    }
}
