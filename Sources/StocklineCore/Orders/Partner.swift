/// A supplier or a customer: orders name them, and a supplier's lead time dates what it is sent to deliver.
public struct Partner: Sendable, Hashable, Codable {
    public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
        case supplier, customer
    }

    public var code: String
    public var role: Role
    public var name: String
    /// Calendar days from order to delivery, unless an item's terms say otherwise (suppliers only).
    public var leadDays: Int

    public init(code: String, role: Role, name: String? = nil, leadDays: Int = 0) {
        self.code = code
        self.role = role
        self.name = name ?? code
        self.leadDays = leadDays
    }
}
