/// A warehouse that can supply another: stock shipped along it in transit is expected `leadDays` after it left.
public struct Route: Sendable, Hashable, Codable {
    public var fromID: WarehouseID
    public var toID: WarehouseID
    public var leadDays: Int
    /// Per base unit moved, in the company's currency.
    public var cost: Money

    public init(fromID: WarehouseID, toID: WarehouseID, leadDays: Int, cost: Money) {
        self.fromID = fromID
        self.toID = toID
        self.leadDays = leadDays
        self.cost = cost
    }
}
