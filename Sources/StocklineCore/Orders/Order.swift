public import Foundation

/// A purchase, sales or production order: what is going to happen, as the ledger's moves record what happened.
///
/// Its id is the idempotency key of the request that created it, so a resent creation is a replay and an id reused
/// for another order is refused like any reused key. A sales order's reservations are ordinary reserve moves that
/// reference its id; what it has reserved is read from them, never copied here.
public struct Order: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case purchase, sales, production
    }

    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        case open, partial, done, closed
    }

    public var id: String
    public var kind: Kind
    /// The supplier (purchase) or customer (sales) code.
    public var partner: String?
    public var warehouseID: WarehouseID
    public var created: Date
    /// When a sales order is requested or a production order is due.
    public var due: Date?
    public var channel: String?
    public var closed: Bool
    public var lines: [Line]
    /// A production order's components, per unit of its output.
    public var components: [Item.Component]?

    public init(
        id: String, kind: Kind, partner: String?, warehouseID: WarehouseID, created: Date, due: Date? = nil,
        channel: String? = nil, closed: Bool = false, lines: [Line], components: [Item.Component]? = nil
    ) {
        self.components = components
        self.id = id
        self.kind = kind
        self.partner = partner
        self.warehouseID = warehouseID
        self.created = created
        self.due = due
        self.channel = channel
        self.closed = closed
        self.lines = lines
    }

    public struct Line: Sendable, Hashable, Codable {
        public var itemID: ItemID
        public var sku: String
        public var ordered: Quantity
        public var unitCost: Money?
        /// Received, shipped or produced.
        public var done: Quantity
        public var cancelled: Quantity
        /// A purchase line's open quantity by expected date (ASNs re-date parts of it), earliest first.
        public var parts: [Part]
        /// Each receipt, shipment or production of the line, with its date.
        public var history: [Dated]

        public init(
            itemID: ItemID, sku: String, ordered: Quantity, unitCost: Money? = nil, parts: [Part] = [],
            done: Quantity = .zero, cancelled: Quantity = .zero, history: [Dated] = []
        ) {
            self.itemID = itemID
            self.sku = sku
            self.ordered = ordered
            self.unitCost = unitCost
            self.parts = parts
            self.done = done
            self.cancelled = cancelled
            self.history = history
        }

        /// Ordered and not yet done or cancelled.
        public var open: Quantity { ordered - done - cancelled }
    }

    public struct Part: Sendable, Hashable, Codable {
        public var quantity: Quantity
        public var expected: Date
        /// Whether an ASN gave this part its date.
        public var noted: Bool

        public init(quantity: Quantity, expected: Date, noted: Bool = false) {
            self.quantity = quantity
            self.expected = expected
            self.noted = noted
        }
    }

    public struct Dated: Sendable, Hashable, Codable {
        public var date: Date
        public var quantity: Quantity
        public var posting: String

        public init(date: Date, quantity: Quantity, posting: String) {
            self.date = date
            self.quantity = quantity
            self.posting = posting
        }
    }

    /// Whether anything is still to come: an order that is closed or fully done no longer counts as supply or
    /// demand.
    public var isOpen: Bool { !closed && lines.contains { $0.open.isPositive } }

    public var status: Status {
        let done = lines.contains { $0.done.isPositive }
        if closed && lines.contains(where: { $0.cancelled.isPositive }) { return .closed }
        if !isOpen { return .done }
        return done ? .partial : .open
    }

    /// The items it names: its lines' and its components'.
    public var itemIDs: Set<ItemID> { Set(lines.map(\.itemID) + (components ?? []).map(\.itemID)) }

    /// What the open output of a production order still needs of each component.
    public var required: [(component: Item.Component, quantity: Quantity)] {
        let open = lines.first?.open ?? .zero
        return (components ?? []).map { ($0, open.times($0.quantity)) }
    }

    public func line(sku: String) -> Int? { lines.firstIndex { $0.sku == sku } }
}

/// An order as people read it on a given day: per line, what is ordered, done, reserved, open and late.
public struct OrderView: Sendable, Hashable, Codable {
    public var id: String
    public var kind: Order.Kind
    public var status: Order.Status
    public var partner: String?
    public var warehouse: String
    public var created: Date
    public var due: Date?
    public var lines: [Line]

    public struct Line: Sendable, Hashable, Codable {
        public var sku: String
        public var ordered: Quantity
        public var unitCost: Money?
        /// Received (purchase), shipped (sales) or produced (production).
        public var received: Quantity?
        public var shipped: Quantity?
        public var produced: Quantity?
        public var open: Quantity
        public var cancelled: Quantity
        public var reserved: Quantity?
        public var backorder: Quantity?
        /// The earliest expected date of the open parts, and whether one is already late.
        public var expected: Date?
        public var overdue: Bool?
        /// A production order's component lines: what its open output still needs, holds and lacks.
        public var required: Quantity?
        public var shortfall: Quantity?
        public var history: [Order.Dated]
    }
}

extension Order {
    /// The order on `today`; `reserved` is what the moves referencing the order hold per item.
    public func view(today: Date, warehouse: String, reserved: [ItemID: Quantity]) -> OrderView {
        OrderView(
            id: id, kind: kind, status: status, partner: partner, warehouse: warehouse, created: created, due: due,
            lines: lines.map { line in
                var view = OrderView.Line(
                    sku: line.sku, ordered: line.ordered, unitCost: line.unitCost, open: line.open,
                    cancelled: line.cancelled, history: line.history)
                switch kind {
                case .purchase:
                    view.received = line.done
                    let open = line.parts.filter(\.quantity.isPositive)
                    view.expected = open.map(\.expected).min()
                    view.overdue = open.contains { $0.expected < today }
                case .sales:
                    let held = min(reserved[line.itemID] ?? .zero, line.open)
                    view.shipped = line.done
                    view.reserved = held
                    view.backorder = line.open - held
                case .production:
                    view.produced = line.done
                }
                return view
            }
                + required.map { component, quantity in
                    let held = min(reserved[component.itemID] ?? .zero, quantity)
                    return OrderView.Line(
                        sku: component.sku, ordered: quantity, open: quantity, cancelled: .zero, reserved: held,
                        required: quantity, shortfall: quantity - held, history: [])
                })
    }
}

/// The calendar day (UTC) of an instant: orders, promises and lead times count in days.
public enum Day {
    private static let seconds: Double = 86_400

    public static func start(of date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / seconds).rounded(.down) * seconds)
    }

    public static func adding(_ days: Int, to date: Date) -> Date {
        start(of: date).addingTimeInterval(Double(days) * seconds)
    }

    /// A date (YYYY-MM-DD, 00:00:00Z of that day) or an RFC 3339 date-time such as 2026-03-10T18:00:00Z.
    public static func parse(_ text: String) -> Date? {
        if text.count == 10, let day = try? Date(text + "T00:00:00Z", strategy: .iso8601) { return day }
        return try? Date(text, strategy: .iso8601)
    }

    /// A day as YYYY-MM-DD; an instant within a day in full.
    public static func text(_ date: Date) -> String {
        let full = date.formatted(.iso8601)
        return start(of: date) == date ? String(full.prefix(10)) : full
    }
}
