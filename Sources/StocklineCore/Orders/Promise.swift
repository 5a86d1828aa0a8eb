public import Foundation

/// The projected free quantity of one item at one warehouse, day by day, with what makes it change.
///
/// P(t) = on hand − blocked − reserved + open supply expected by t − unreserved open demand due by t. Supply that
/// is late counts as expected today; demand that is late counts as due today.
public struct Timeline: Sendable, Hashable, Codable {
    /// Free now: on hand less blocked and reserved.
    public var available: Quantity
    public var today: Date
    public var entries: [Entry]

    public struct Entry: Sendable, Hashable, Codable {
        public enum Kind: String, Sendable, Hashable, Codable {
            case purchase, production, transfer, backorder, shortfall
        }

        public var date: Date
        /// Positive for supply, negative for demand.
        public var quantity: Quantity
        public var kind: Kind
        /// The order or posting it comes from.
        public var document: String
        /// Its own date, when that was before today.
        public var late: Date?
    }

    public struct Point: Sendable, Hashable, Codable {
        public var date: Date
        public var projected: Quantity
    }

    public init(available: Quantity, today: Date, entries: [Entry]) {
        self.available = available
        self.today = today
        self.entries = entries.sorted { ($0.date, $0.document) < ($1.date, $1.document) }
    }

    /// P(t) on today and on every later date it changes.
    public var points: [Point] {
        var running = available
        var points = [Point(date: today, projected: available)]
        for entry in entries {
            running += entry.quantity
            if points[points.count - 1].date == entry.date {
                points[points.count - 1].projected = running
            } else {
                points.append(Point(date: entry.date, projected: running))
            }
        }
        return points
    }

    /// The earliest day from which `quantity` stays free for good, so later commitments stay covered; nil if none.
    public func promise(_ quantity: Quantity) -> Date? {
        var answer: Date?
        for point in points.reversed() {
            guard point.projected >= quantity else { break }
            answer = point.date
        }
        return answer
    }
}

extension LedgerState {
    /// The timeline of `itemID` at `warehouse` on `today`, from the books and orders this state holds.
    public func timeline(of itemID: ItemID, at warehouse: Warehouse, today: Date) -> Timeline {
        let today = Day.start(of: today)
        var available = Quantity.zero
        if let root = catalog.locations[warehouse.rootLocationID] {
            available = position(of: itemID, at: root).available
        }
        func on(_ date: Date) -> (Date, Date?) {
            let day = Day.start(of: date)
            return day < today ? (today, day) : (day, nil)
        }
        var entries: [Timeline.Entry] = []
        for order in orders.values where order.isOpen && order.warehouseID == warehouse.id {
            for line in order.lines where line.itemID == itemID {
                switch order.kind {
                case .purchase:
                    for part in line.parts where part.quantity.isPositive {
                        let (date, late) = on(part.expected)
                        entries.append(
                            .init(date: date, quantity: part.quantity, kind: .purchase, document: order.id, late: late))
                    }
                case .sales:
                    let backorder = line.open - reserved(order: order.id, item: itemID)
                    guard backorder.isPositive else { continue }
                    let (date, late) = on(order.due ?? order.created)
                    entries.append(
                        .init(date: date, quantity: -backorder, kind: .backorder, document: order.id, late: late))
                case .production:
                    guard line.open.isPositive else { continue }
                    let (date, late) = on(order.due ?? order.created)
                    entries.append(
                        .init(date: date, quantity: line.open, kind: .production, document: order.id, late: late))
                }
            }
            for (component, required) in order.required where component.itemID == itemID {
                let shortfall = required - reserved(order: order.id, item: itemID)
                guard shortfall.isPositive else { continue }
                let (date, late) = on(order.due ?? order.created)
                entries.append(
                    .init(date: date, quantity: -shortfall, kind: .shortfall, document: order.id, late: late))
            }
        }
        let inside: (LocationID) -> Bool = { id in
            guard let location = catalog.locations[id] else { return false }
            return location.isInternal && location.warehouseID == warehouse.id
        }
        for move in moves.values where move.itemID == itemID && move.isOpen && inside(move.toID) && !inside(move.fromID)
        {
            let (date, late) = on(move.plannedAt)
            let document = move.reference ?? "move \(move.id.rawValue)"
            entries.append(.init(date: date, quantity: move.quantity, kind: .transfer, document: document, late: late))
        }
        return Timeline(available: available, today: today, entries: entries)
    }

    /// What the open moves of `order` hold of `item`.
    public func reserved(order: String, item: ItemID) -> Quantity {
        moves.values.filter { $0.reference == order && $0.itemID == item && $0.isOpen }
            .flatMap { reservations[$0.id] ?? [] }.reduce(.zero) { $0 + $1.quantity }
    }
}
