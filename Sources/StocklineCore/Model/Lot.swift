public import Foundation

/// A batch of an item (with an optional expiry), or one serial number of a serial-tracked item.
public struct Lot: Sendable, Hashable, Codable {
    public var id: LotID
    public var itemID: ItemID
    public var name: String
    public var expiry: Date?

    public init(id: LotID, itemID: ItemID, name: String, expiry: Date?) {
        self.id = id
        self.itemID = itemID
        self.name = name
        self.expiry = expiry
    }
}
