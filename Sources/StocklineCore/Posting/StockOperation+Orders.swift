extension StockOperation {
    public struct PurchaseOrder: Sendable, Hashable, Codable {
        public var supplier: String
        public var at: String
        public var lines: [PurchaseLine]
        /// The date every line without its own is expected (YYYY-MM-DD); default: today + the lead time.
        public var expected: String?
        public init(supplier: String, at: String, lines: [PurchaseLine], expected: String? = nil) {
            self.supplier = supplier
            self.at = at
            self.lines = lines
            self.expected = expected
        }
    }

    public struct PurchaseLine: Sendable, Hashable, Codable {
        public var sku: String
        public var qty: Quantity
        /// Default: the item's price from this supplier.
        public var unitCost: Money?
        public var expected: String?
        public var uom: String?
        public init(sku: String, qty: Quantity, unitCost: Money? = nil, expected: String? = nil, uom: String? = nil) {
            self.sku = sku
            self.qty = qty
            self.unitCost = unitCost
            self.expected = expected
            self.uom = uom
        }
    }

    /// An advance ship notice: the noted quantities of a purchase order's lines now arrive on `expected`.
    public struct ASN: Sendable, Hashable, Codable {
        public var po: String
        public var expected: String
        public var lines: [OrderQuantity]
        public init(po: String, expected: String, lines: [OrderQuantity]) {
            self.po = po
            self.expected = expected
            self.lines = lines
        }
    }

    public struct OrderQuantity: Sendable, Hashable, Codable {
        public var sku: String
        public var qty: Quantity
        public var uom: String?
        public init(sku: String, qty: Quantity, uom: String? = nil) {
            self.sku = sku
            self.qty = qty
            self.uom = uom
        }
    }

    public struct OrderReceipt: Sendable, Hashable, Codable {
        public var po: String
        public var lines: [ReceiptLine]
        public init(po: String, lines: [ReceiptLine]) {
            self.po = po
            self.lines = lines
        }
    }

    public struct ReceiptLine: Sendable, Hashable, Codable {
        public var sku: String
        public var qty: Quantity
        public var lot: String?
        public var expiry: String?
        public var serials: [String]?
        public var hold: Bool?
        public var uom: String?
        public init(
            sku: String, qty: Quantity, lot: String? = nil, expiry: String? = nil, serials: [String]? = nil,
            hold: Bool? = nil, uom: String? = nil
        ) {
            self.sku = sku
            self.qty = qty
            self.lot = lot
            self.expiry = expiry
            self.serials = serials
            self.hold = hold
            self.uom = uom
        }
    }

    public struct SalesOrder: Sendable, Hashable, Codable {
        public var customer: String
        public var at: String
        public var lines: [OrderQuantity]
        /// When the customer wants it (YYYY-MM-DD); default: today.
        public var requested: String?
        public var channel: String?
        public init(
            customer: String, at: String, lines: [OrderQuantity], requested: String? = nil, channel: String? = nil
        ) {
            self.customer = customer
            self.at = at
            self.lines = lines
            self.requested = requested
            self.channel = channel
        }
    }

    public struct ProductionOrder: Sendable, Hashable, Codable {
        public var sku: String
        public var qty: Quantity
        public var at: String
        /// When the output is due (YYYY-MM-DD); default: today.
        public var due: String?
        public var uom: String?
        public init(sku: String, qty: Quantity, at: String, due: String? = nil, uom: String? = nil) {
            self.sku = sku
            self.qty = qty
            self.at = at
            self.due = due
            self.uom = uom
        }
    }

    public struct OrderProduction: Sendable, Hashable, Codable {
        public var order: String
        /// Default: all that is open.
        public var qty: Quantity?
        public init(order: String, qty: Quantity? = nil) {
            self.order = order
            self.qty = qty
        }
    }

    /// Reserves free stock for backordered sales-order lines, of one warehouse and one SKU when named.
    public struct Allocate: Sendable, Hashable, Codable {
        public var at: String?
        public var sku: String?
        public init(at: String? = nil, sku: String? = nil) {
            self.at = at
            self.sku = sku
        }
    }
}
