/// Where a quant sits: a location and, for tracked items, a lot or serial.
public struct QuantKey: Sendable, Hashable, Codable {
    public var locationID: LocationID
    public var lotID: LotID?

    public init(locationID: LocationID, lotID: LotID?) {
        self.locationID = locationID
        self.lotID = lotID
    }
}

/// The stock of one item at one location and lot, materialized from done moves.
public struct Quant: Sendable, Hashable, Codable {
    public var key: QuantKey
    public var quantity: Quantity
    public var reserved: Quantity
    /// Orders first-in-first-out removal: the sequence of the move that first brought stock here.
    public var inSequence: Int64

    public init(key: QuantKey, quantity: Quantity, reserved: Quantity = .zero, inSequence: Int64) {
        self.key = key
        self.quantity = quantity
        self.reserved = reserved
        self.inSequence = inSequence
    }

    public var unreserved: Quantity { quantity - reserved }
}

/// A claim of an open outgoing move on part of a quant.
public struct Reservation: Sendable, Hashable, Codable {
    public var moveID: MoveID
    public var key: QuantKey
    public var quantity: Quantity

    public init(moveID: MoveID, key: QuantKey, quantity: Quantity) {
        self.moveID = moveID
        self.key = key
        self.quantity = quantity
    }
}
