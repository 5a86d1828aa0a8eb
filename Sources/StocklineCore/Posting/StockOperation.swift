/// What a caller asks the ledger to do, in business terms: SKUs, warehouse codes, location paths and the keys
/// of earlier postings. The planner resolves the names; every door (scenario, JSON Lines, HTTP) speaks this.
public enum StockOperation: Sendable, Hashable, Codable {
    case receive(Receive)
    case deliver(Deliver)
    case reserve(Reserve)
    case unreserve(OrderRef)
    case ship(OrderRef)
    case transfer(Transfer)
    case arrive(Arrive)
    case count(Count)
    case adjust(Adjust)
    case scrap(Scrap)
    case returnFromCustomer(CustomerReturn)
    case returnToSupplier(SupplierReturn)
    case hold(Quality)
    case release(Quality)
    case reject(Quality)
    case landedCost(LandedCost)
    case consume(Consume)
    case produce(Produce)
    case supersede(Supersede)
    case setCost(SetCost)
    case purchaseOrder(PurchaseOrder)
    case asn(ASN)
    /// A receipt against a purchase order (`receive: {po, lines}`).
    case receiveOrder(OrderReceipt)
    case salesOrder(SalesOrder)
    case allocate(Allocate)
    case close(OrderRef)
    case productionOrder(ProductionOrder)
    /// Production against a production order (`produce: {order, qty?}`).
    case produceOrder(OrderProduction)

    public var kind: OperationKind {
        switch self {
        case .receive: .receive
        case .deliver: .deliver
        case .reserve: .reserve
        case .unreserve: .unreserve
        case .ship: .ship
        case .transfer: .transfer
        case .arrive: .arrive
        case .count: .count
        case .adjust: .adjust
        case .scrap: .scrap
        case .returnFromCustomer: .returnFromCustomer
        case .returnToSupplier: .returnToSupplier
        case .hold: .hold
        case .release: .release
        case .reject: .reject
        case .landedCost: .landedCost
        case .consume: .consume
        case .produce: .produce
        case .supersede: .supersede
        case .setCost: .setCost
        case .purchaseOrder: .purchaseOrder
        case .asn: .asn
        case .receiveOrder: .receive
        case .salesOrder: .salesOrder
        case .allocate: .allocate
        case .close: .close
        case .productionOrder: .productionOrder
        case .produceOrder: .produce
        }
    }

    public struct Receive: Sendable, Hashable, Codable {
        public var sku: String
        public var qty: Quantity
        public var at: String
        public var unitCost: Money?
        public var currency: String?
        public var rate: Fixed?
        public var lot: String?
        public var expiry: String?
        public var serials: [String]?
        public var uom: String?
        public var hold: Bool?
        public init(
            sku: String, qty: Quantity, at: String, unitCost: Money? = nil, currency: String? = nil,
            rate: Fixed? = nil, lot: String? = nil, expiry: String? = nil, serials: [String]? = nil,
            uom: String? = nil, hold: Bool? = nil
        ) {
            self.sku = sku
            self.qty = qty
            self.at = at
            self.unitCost = unitCost
            self.currency = currency
            self.rate = rate
            self.lot = lot
            self.expiry = expiry
            self.serials = serials
            self.uom = uom
            self.hold = hold
        }
    }

    public struct Deliver: Sendable, Hashable, Codable {
        public var sku: String
        public var qty: Quantity
        public var from: String
        public var lot: String?
        public var serials: [String]?
        public var order: String?
        public var uom: String?
        public init(
            sku: String, qty: Quantity, from: String, lot: String? = nil, serials: [String]? = nil,
            order: String? = nil, uom: String? = nil
        ) {
            self.sku = sku
            self.qty = qty
            self.from = from
            self.lot = lot
            self.serials = serials
            self.order = order
            self.uom = uom
        }
    }

    public struct Reserve: Sendable, Hashable, Codable {
        public var sku: String
        public var qty: Quantity
        public var at: String
        public var order: String
        public var lot: String?
        public var uom: String?
        /// When the demand ships (YYYY-MM-DD); drives the projected-stock timeline. Default: now.
        public var date: String?
        public init(
            sku: String, qty: Quantity, at: String, order: String, lot: String? = nil, uom: String? = nil,
            date: String? = nil
        ) {
            self.sku = sku
            self.qty = qty
            self.at = at
            self.order = order
            self.lot = lot
            self.uom = uom
            self.date = date
        }
    }

    public struct OrderRef: Sendable, Hashable, Codable {
        public var order: String
        public init(order: String) { self.order = order }
    }

    public struct Transfer: Sendable, Hashable, Codable {
        public var sku: String
        public var qty: Quantity
        public var from: String
        public var to: String
        public var lot: String?
        public var serials: [String]?
        public var transit: Bool?
        public var uom: String?
        /// When a shipment through transit is expected to arrive (YYYY-MM-DD). Default: now.
        public var arrival: String?
        /// Between companies: the price per unit (of `uom`) the receiving company pays, in its currency.
        /// Default: the cost the sending company books, when both keep the same currency.
        public var transferPrice: Money?
        public init(
            sku: String, qty: Quantity, from: String, to: String, lot: String? = nil,
            serials: [String]? = nil, transit: Bool? = nil, uom: String? = nil, arrival: String? = nil,
            transferPrice: Money? = nil
        ) {
            self.transferPrice = transferPrice
            self.sku = sku
            self.qty = qty
            self.from = from
            self.to = to
            self.lot = lot
            self.serials = serials
            self.transit = transit
            self.uom = uom
            self.arrival = arrival
        }
    }

    public struct Arrive: Sendable, Hashable, Codable {
        /// The key of the transfer posting.
        public var transfer: String
        public var qty: Quantity?
        public var uom: String?
        public init(transfer: String, qty: Quantity? = nil, uom: String? = nil) {
            self.transfer = transfer
            self.qty = qty
            self.uom = uom
        }
    }

    public struct Count: Sendable, Hashable, Codable {
        public var sku: String
        public var at: String
        public var counted: Quantity
        public var lot: String?
        public var uom: String?
        /// The quantity the caller believes is current; the count is refused if it is not (compare-and-set).
        public var expected: Quantity?
        public init(
            sku: String, at: String, counted: Quantity, lot: String? = nil, uom: String? = nil,
            expected: Quantity? = nil
        ) {
            self.sku = sku
            self.at = at
            self.counted = counted
            self.lot = lot
            self.uom = uom
            self.expected = expected
        }
    }

    public struct Adjust: Sendable, Hashable, Codable {
        public var sku: String
        public var at: String
        public var qty: Quantity
        public var reason: String
        public var lot: String?
        public var serials: [String]?
        public var uom: String?
        public init(
            sku: String, at: String, qty: Quantity, reason: String, lot: String? = nil,
            serials: [String]? = nil, uom: String? = nil
        ) {
            self.sku = sku
            self.at = at
            self.qty = qty
            self.reason = reason
            self.lot = lot
            self.serials = serials
            self.uom = uom
        }
    }

    public struct Scrap: Sendable, Hashable, Codable {
        public var sku: String
        public var qty: Quantity
        public var from: String
        public var lot: String?
        public var serials: [String]?
        public var uom: String?
        public init(
            sku: String, qty: Quantity, from: String, lot: String? = nil, serials: [String]? = nil,
            uom: String? = nil
        ) {
            self.sku = sku
            self.qty = qty
            self.from = from
            self.lot = lot
            self.serials = serials
            self.uom = uom
        }
    }

    public struct CustomerReturn: Sendable, Hashable, Codable {
        public var sku: String
        public var qty: Quantity
        public var to: String
        /// The key of the delivery it reverses.
        public var of: String?
        public var lot: String?
        public var serials: [String]?
        public var uom: String?
        public init(
            sku: String, qty: Quantity, to: String, of: String? = nil, lot: String? = nil,
            serials: [String]? = nil, uom: String? = nil
        ) {
            self.sku = sku
            self.qty = qty
            self.to = to
            self.of = of
            self.lot = lot
            self.serials = serials
            self.uom = uom
        }
    }

    public struct SupplierReturn: Sendable, Hashable, Codable {
        public var sku: String
        public var qty: Quantity
        public var from: String
        /// The key of the receipt it reverses.
        public var of: String?
        public var lot: String?
        public var serials: [String]?
        public var uom: String?
        public init(
            sku: String, qty: Quantity, from: String, of: String? = nil, lot: String? = nil,
            serials: [String]? = nil, uom: String? = nil
        ) {
            self.sku = sku
            self.qty = qty
            self.from = from
            self.of = of
            self.lot = lot
            self.serials = serials
            self.uom = uom
        }
    }

    public struct Quality: Sendable, Hashable, Codable {
        public var sku: String
        public var qty: Quantity
        public var at: String
        public var lot: String?
        public var serials: [String]?
        public var uom: String?
        public init(
            sku: String, qty: Quantity, at: String, lot: String? = nil, serials: [String]? = nil,
            uom: String? = nil
        ) {
            self.sku = sku
            self.qty = qty
            self.at = at
            self.lot = lot
            self.serials = serials
            self.uom = uom
        }
    }

    public struct LandedCost: Sendable, Hashable, Codable {
        public enum Split: String, Sendable, Hashable, Codable, CaseIterable {
            case equal
            case byQuantity = "by_quantity"
            case byValue = "by_value"
            case byWeight = "by_weight"
            case byVolume = "by_volume"
        }
        /// Keys of the receipt postings.
        public var receipts: [String]
        public var amount: Money
        public var split: Split
        public init(receipts: [String], amount: Money, split: Split) {
            self.receipts = receipts
            self.amount = amount
            self.split = split
        }
    }

    public struct Consume: Sendable, Hashable, Codable {
        public var sku: String
        public var qty: Quantity
        public var at: String
        public var lot: String?
        public var serials: [String]?
        public var uom: String?
        public init(
            sku: String, qty: Quantity, at: String, lot: String? = nil, serials: [String]? = nil,
            uom: String? = nil
        ) {
            self.sku = sku
            self.qty = qty
            self.at = at
            self.lot = lot
            self.serials = serials
            self.uom = uom
        }
    }

    public struct Produce: Sendable, Hashable, Codable {
        public var sku: String
        public var qty: Quantity
        public var at: String
        public var unitCost: Money?
        public var lot: String?
        public var expiry: String?
        public var serials: [String]?
        public var uom: String?
        public init(
            sku: String, qty: Quantity, at: String, unitCost: Money? = nil, lot: String? = nil,
            expiry: String? = nil, serials: [String]? = nil, uom: String? = nil
        ) {
            self.sku = sku
            self.qty = qty
            self.at = at
            self.unitCost = unitCost
            self.lot = lot
            self.expiry = expiry
            self.serials = serials
            self.uom = uom
        }
    }

    public struct Supersede: Sendable, Hashable, Codable {
        public enum Mode: String, Sendable, Hashable, Codable, CaseIterable {
            case oneWay = "one_way"
            case twoWay = "two_way"
        }
        public var old: String
        public var new: String
        public var mode: Mode
        public init(old: String, new: String, mode: Mode) {
            self.old = old
            self.new = new
            self.mode = mode
        }
    }

    public struct SetCost: Sendable, Hashable, Codable {
        public var sku: String
        public var unitCost: Money
        public var company: String?
        public init(sku: String, unitCost: Money, company: String? = nil) {
            self.sku = sku
            self.unitCost = unitCost
            self.company = company
        }
    }
}

/// The name of an operation as it is written in scenario files, JSON Lines and the API.
public enum OperationKind: String, Sendable, Hashable, Codable, CaseIterable {
    case receive, deliver, reserve, unreserve, ship, transfer, arrive, count, adjust, scrap
    case returnFromCustomer = "return_from_customer"
    case returnToSupplier = "return_to_supplier"
    case hold, release, reject
    case landedCost = "landed_cost"
    case consume, produce, supersede
    case setCost = "set_cost"
    case purchaseOrder = "purchase_order"
    case asn
    case salesOrder = "sales_order"
    case allocate, close
    case productionOrder = "production_order"
}
