/// Where a valuation layer's value sits: a warehouse's stock, or a shipment in transit towards a warehouse.
public enum CostScope: Sendable, Hashable, Codable {
    case company
    case warehouse(WarehouseID)
    case transit(WarehouseID)

    public var warehouseID: WarehouseID? {
        switch self {
        case .company: nil
        case .warehouse(let id), .transit(let id): id
        }
    }

    public var isTransit: Bool { if case .transit = self { true } else { false } }
}

/// Quantity and value entering or leaving a company's valued stock.
///
/// Incoming layers keep what is left of them (`remainingQuantity`, `remainingValue`) for FIFO; outgoing layers that
/// went below zero keep the units not yet covered (`shortQuantity`) and their estimated value (`shortValue`), so the
/// next incoming stock can re-cost them.
public struct ValuationLayer: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Stock entering valued stock, or leaving it.
        case incoming = "in"
        case outgoing = "out"
        /// A later change of an earlier posting's value: re-costing a shortfall, a landed cost, a revaluation.
        case correction
        case landedCost = "landed_cost"
        case revaluation
    }

    public var id: LayerID
    public var companyID: CompanyID
    public var itemID: ItemID
    public var scope: CostScope
    /// The posting whose value this layer belongs to (for corrections: the corrected one).
    public var postingID: Int64
    public var moveID: MoveID?
    public var kind: Kind
    public var quantity: Quantity
    public var value: Money
    public var unitCost: Money
    public var remainingQuantity: Quantity
    public var remainingValue: Money
    public var shortQuantity: Quantity
    public var shortValue: Money
    /// The receipt layer this stock descends from, followed through transfers.
    public var originID: LayerID?
    /// For transit layers: the shipment posting they travel with.
    public var shipmentID: Int64?
    /// The account the value came from or went to; nil for a leg of a move inside the company's stock.
    public var account: AccountRole?

    public init(
        id: LayerID, companyID: CompanyID, itemID: ItemID, scope: CostScope, postingID: Int64, moveID: MoveID?,
        kind: Kind, quantity: Quantity, value: Money, unitCost: Money, remainingQuantity: Quantity = .zero,
        remainingValue: Money = .zero, shortQuantity: Quantity = .zero, shortValue: Money = .zero,
        originID: LayerID? = nil, shipmentID: Int64? = nil, account: AccountRole? = nil
    ) {
        self.account = account
        self.id = id
        self.companyID = companyID
        self.itemID = itemID
        self.scope = scope
        self.postingID = postingID
        self.moveID = moveID
        self.kind = kind
        self.quantity = quantity
        self.value = value
        self.unitCost = unitCost
        self.remainingQuantity = remainingQuantity
        self.remainingValue = remainingValue
        self.shortQuantity = shortQuantity
        self.shortValue = shortValue
        self.originID = originID
        self.shipmentID = shipmentID
    }

    public var isOpen: Bool { !remainingQuantity.isZero || !shortQuantity.isZero }
}

/// Which incoming layer an outgoing posting took its units from, at what value.
public struct LayerUse: Sendable, Hashable, Codable {
    public var postingID: Int64
    public var layerID: LayerID
    public var originID: LayerID?
    public var quantity: Quantity
    public var value: Money
    /// Whether the units left the company's stock (a sale, scrap) rather than moved inside it.
    public var leftStock: Bool
    /// The account the taking posting charged, for later corrections of its cost.
    public var account: AccountRole?

    public init(
        postingID: Int64, layerID: LayerID, originID: LayerID?, quantity: Quantity, value: Money, leftStock: Bool,
        account: AccountRole? = nil
    ) {
        self.account = account
        self.postingID = postingID
        self.layerID = layerID
        self.originID = originID
        self.quantity = quantity
        self.value = value
        self.leftStock = leftStock
    }
}

/// The running cost figures of one item in one company (and per warehouse and transit scope).
public struct CostTotals: Sendable, Hashable, Codable {
    public var quantity: Quantity
    public var value: Money
    /// The average or standard unit cost; for FIFO scopes, the unit cost of the newest incoming layer.
    public var unitCost: Money?

    public init(quantity: Quantity = .zero, value: Money = .zero, unitCost: Money? = nil) {
        self.quantity = quantity
        self.value = value
        self.unitCost = unitCost
    }
}
