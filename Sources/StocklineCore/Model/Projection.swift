public import Foundation

/// One date of an item's projected stock: what is promised to arrive and leave then, and what will be left.
public struct ProjectionPoint: Sendable, Hashable, Codable {
    public var date: Date
    public var incoming: Quantity
    public var outgoing: Quantity
    /// Unblocked stock on hand plus everything planned up to and including this date.
    public var projected: Quantity

    public init(date: Date, incoming: Quantity, outgoing: Quantity, projected: Quantity) {
        self.date = date
        self.incoming = incoming
        self.outgoing = outgoing
        self.projected = projected
    }
}

extension LedgerState {
    /// The available-to-promise timeline at `location`: starting from unblocked stock on hand, each planned date of
    /// an open move in or out changes what can still be promised.
    public func projection(of itemID: ItemID, at location: Location) -> (start: Quantity, points: [ProjectionPoint]) {
        let position = position(of: itemID, at: location)
        let inside: (LocationID) -> Bool = { id in
            catalog.locations[id].map { $0.isInternal && location.contains($0) } ?? false
        }
        var byDate: [Date: (incoming: Quantity, outgoing: Quantity)] = [:]
        for move in moves.values where move.itemID == itemID && move.isOpen {
            let into = inside(move.toID), outOf = inside(move.fromID)
            if into && !outOf { byDate[move.plannedAt, default: (.zero, .zero)].incoming += move.quantity }
            if outOf && !into { byDate[move.plannedAt, default: (.zero, .zero)].outgoing += move.quantity }
        }
        let start = position.onHand - position.blocked
        var running = start
        let points = byDate.keys.sorted().compactMap { date -> ProjectionPoint? in
            guard let change = byDate[date] else { return nil }
            running += change.incoming - change.outgoing
            return ProjectionPoint(date: date, incoming: change.incoming, outgoing: change.outgoing, projected: running)
        }
        return (start, points)
    }
}
