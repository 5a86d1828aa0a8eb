public import Foundation

/// One quantity of one item going from one location to another: the ledger's only way to change stock.
public struct Move: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        case draft, confirmed, assigned, done, cancelled
    }

    public var id: MoveID
    public var postingID: Int64
    public var itemID: ItemID
    public var quantity: Quantity
    public var fromID: LocationID
    public var toID: LocationID
    public var lotID: LotID?
    public var state: State
    public var kind: OperationKind
    public var plannedAt: Date
    public var doneAt: Date?
    /// The order that claims it (reservations) or the document it belongs to.
    public var reference: String?
    /// The move this one reverses or continues (a return's delivery, an arrival's shipment).
    public var originID: MoveID?

    public init(
        id: MoveID, postingID: Int64, itemID: ItemID, quantity: Quantity, fromID: LocationID, toID: LocationID,
        lotID: LotID?, state: State, kind: OperationKind, plannedAt: Date, doneAt: Date?, reference: String?,
        originID: MoveID?
    ) {
        self.id = id
        self.postingID = postingID
        self.itemID = itemID
        self.quantity = quantity
        self.fromID = fromID
        self.toID = toID
        self.lotID = lotID
        self.state = state
        self.kind = kind
        self.plannedAt = plannedAt
        self.doneAt = doneAt
        self.reference = reference
        self.originID = originID
    }

    public var isOpen: Bool { state == .confirmed || state == .assigned || state == .draft }
}
