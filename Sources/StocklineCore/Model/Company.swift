/// A legal entity: it owns warehouses and values their stock in one currency by one method.
public struct Company: Sendable, Hashable, Codable {
    public var id: CompanyID
    public var code: String
    public var currency: String
    public var costing: CostingMethod

    public init(id: CompanyID, code: String, currency: String, costing: CostingMethod) {
        self.id = id
        self.code = code
        self.currency = currency
        self.costing = costing
    }
}

/// How outgoing stock is valued.
public enum CostingMethod: String, Sendable, Hashable, Codable, CaseIterable {
    case fifo, average, standard
}
