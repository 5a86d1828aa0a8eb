import Foundation

/// The stock, lots and cost figures of one item: everything a posting on that item reads and changes.
public struct ItemBook: Sendable, Hashable {
    public var item: Item
    public var lots: [LotID: Lot]
    public var quants: [QuantKey: Quant]
    public var costs: [CompanyID: CostBook]

    public init(
        item: Item, lots: [LotID: Lot] = [:], quants: [QuantKey: Quant] = [:], costs: [CompanyID: CostBook] = [:]
    ) {
        self.item = item
        self.lots = lots
        self.quants = quants
        self.costs = costs
    }

    public func lot(named name: String) -> Lot? { lots.values.first { $0.name == name } }
}

/// One item's valuation in one company: totals, per-scope totals and the layers still open.
public struct CostBook: Sendable, Hashable {
    public var method: CostingMethod
    public var totals: CostTotals
    public var scopes: [CostScope: CostTotals]
    public var layers: OpenLayers

    public init(
        method: CostingMethod, totals: CostTotals = .init(), scopes: [CostScope: CostTotals] = [:],
        layers: OpenLayers = OpenLayers()
    ) {
        self.method = method
        self.totals = totals
        self.scopes = scopes
        self.layers = layers
    }
}

/// What a later posting needs to know of an earlier one it refers to (a return's delivery, an arrival's transfer).
public struct PostingSummary: Sendable, Hashable, Codable {
    public var id: Int64
    public var key: String
    public var kind: OperationKind
    public var itemID: ItemID?
    public var companyID: CompanyID?
    /// Units the posting moved (done moves only).
    public var quantity: Quantity
    /// Value of all its layers, later corrections included (negative for outgoing stock).
    public var value: Money
    /// Units already returned against it.
    public var returnedQuantity: Quantity
    public var moveIDs: [MoveID]
    /// The incoming valuation layers it created (receipts), for landed costs.
    public var layers: [ValuationLayer]

    public init(
        id: Int64, key: String, kind: OperationKind, itemID: ItemID?, companyID: CompanyID?, quantity: Quantity,
        value: Money, returnedQuantity: Quantity, moveIDs: [MoveID], layers: [ValuationLayer] = []
    ) {
        self.layers = layers
        self.id = id
        self.key = key
        self.kind = kind
        self.itemID = itemID
        self.companyID = companyID
        self.quantity = quantity
        self.value = value
        self.returnedQuantity = returnedQuantity
        self.moveIDs = moveIDs
    }
}

/// The next free row ids; a store seeds it before planning.
public struct IDAllocator: Sendable, Hashable {
    public var nextMove: Int64
    public var nextLayer: Int64
    public var nextLot: Int64

    public init(nextMove: Int64, nextLayer: Int64, nextLot: Int64) {
        self.nextMove = nextMove
        self.nextLayer = nextLayer
        self.nextLot = nextLot
    }

    public mutating func move() -> MoveID {
        defer { nextMove += 1 }
        return MoveID(nextMove)
    }
    public mutating func layer() -> LayerID {
        defer { nextLayer += 1 }
        return LayerID(nextLayer)
    }
    public mutating func lot() -> LotID {
        defer { nextLot += 1 }
        return LotID(nextLot)
    }
}

/// What a posting changed, for the store to write in the same transaction.
public struct ChangeSet: Sendable, Hashable {
    public var newLots: [Lot] = []
    /// Quant changes as deltas, so stores can apply them to rows they did not load (virtual locations).
    public var quants: [QuantRef: QuantDelta] = [:]
    public var newMoves: [MoveID] = []
    public var updatedMoves: Set<MoveID> = []
    public var reservations: Set<MoveID> = []
    public var newLayers: [LayerID] = []
    public var updatedLayers: Set<LayerID> = []
    public var layerUses: [LayerUse] = []
    /// Orders created or changed, by id.
    public var orders: Set<String> = []
    public var costs: Set<CostRef> = []
    public var items: Set<ItemID> = []
    public var events: [PendingEvent] = []
    public var journal: [JournalEntry] = []

    public init() {}

    public struct QuantRef: Sendable, Hashable {
        public var itemID: ItemID
        public var key: QuantKey
    }

    public struct QuantDelta: Sendable, Hashable {
        public var quantity: Quantity
        public var reserved: Quantity
        /// The sequence a quant gets when this change creates it.
        public var inSequence: Int64
    }

    public struct CostRef: Sendable, Hashable {
        public var itemID: ItemID
        public var companyID: CompanyID
    }

    public struct PendingEvent: Sendable, Hashable {
        public var type: String
        public var subject: String
        public var payload: [String: String]
    }

    public var isEmpty: Bool {
        newLots.isEmpty && quants.isEmpty && newMoves.isEmpty && updatedMoves.isEmpty && newLayers.isEmpty
            && updatedLayers.isEmpty && costs.isEmpty && items.isEmpty && orders.isEmpty
    }
}

/// The slice of the ledger one posting works on: the books of the items it names, as committed.
///
/// Planning mutates a copy; a refusal throws and the copy is dropped, so a refused command can never leave a trace.
public struct LedgerState: Sendable {
    public var catalog: Catalog
    public var books: [ItemID: ItemBook]
    public var skus: [String: ItemID]
    /// Open (confirmed or assigned) moves of the orders and shipments the request named.
    public var moves: [MoveID: Move]
    public var reservations: [MoveID: [Reservation]]
    /// Earlier postings the request named by key.
    public var postings: [String: PostingSummary]
    /// How the units of the named receipts' layers left stock, by receipt layer.
    public var uses: [LayerID: [LayerUse]]
    /// The orders the request named, and the open orders of the items it reads.
    public var orders: [String: Order]
    public var ids: IDAllocator
    public var changes = ChangeSet()

    public init(
        catalog: Catalog, books: [ItemID: ItemBook], moves: [MoveID: Move] = [:],
        reservations: [MoveID: [Reservation]] = [:], postings: [String: PostingSummary] = [:],
        uses: [LayerID: [LayerUse]] = [:], orders: [String: Order] = [:], ids: IDAllocator
    ) {
        self.uses = uses
        self.orders = orders
        self.catalog = catalog
        self.books = books
        self.skus = Dictionary(books.values.map { ($0.item.sku, $0.item.id) }, uniquingKeysWith: { a, _ in a })
        self.moves = moves
        self.reservations = reservations
        self.postings = postings
        self.ids = ids
    }

    public func itemID(sku: String) throws(StockError) -> ItemID {
        guard let id = skus[sku] else { throw .unknownItem(sku: sku) }
        return id
    }
}

/// What the store must load for an operation: the planner sees nothing else.
public struct StateRequest: Sendable, Hashable {
    /// Whether every name can be sent to a store as a parameter (none holds a NUL).
    public var lookupable: Bool {
        [skus, lots, orders, postingKeys].allSatisfy { names in names.allSatisfy { !$0.utf8.contains(0) } }
    }

    public var skus: Set<String> = []
    public var lots: Set<String> = []
    public var orders: Set<String> = []
    public var postingKeys: Set<String> = []
    /// Whether every item with an open sales order is read (an allocation over all SKUs).
    public var openDemand = false

    public init(
        skus: Set<String> = [], lots: Set<String> = [], orders: Set<String> = [], postingKeys: Set<String> = [],
        openDemand: Bool = false
    ) {
        self.skus = skus
        self.lots = lots
        self.orders = orders
        self.postingKeys = postingKeys
        self.openDemand = openDemand
    }

    public mutating func formUnion(_ other: StateRequest) {
        skus.formUnion(other.skus)
        lots.formUnion(other.lots)
        orders.formUnion(other.orders)
        postingKeys.formUnion(other.postingKeys)
        openDemand = openDemand || other.openDemand
    }
}

extension StockOperation {
    /// The state this operation reads.
    public var stateRequest: StateRequest {
        func lots(_ lot: String?, _ serials: [String]?) -> Set<String> {
            Set([lot].compactMap { $0 } + (serials ?? []))
        }
        switch self {
        case .receive(let op): return .init(skus: [op.sku], lots: lots(op.lot, op.serials))
        case .deliver(let op):
            return .init(skus: [op.sku], lots: lots(op.lot, op.serials), orders: Set([op.order].compactMap { $0 }))
        case .reserve(let op): return .init(skus: [op.sku], lots: lots(op.lot, nil), orders: [op.order])
        case .unreserve(let op), .ship(let op): return .init(orders: [op.order])
        case .transfer(let op): return .init(skus: [op.sku], lots: lots(op.lot, op.serials))
        case .arrive(let op): return .init(postingKeys: [op.transfer])
        case .count(let op): return .init(skus: [op.sku], lots: lots(op.lot, nil))
        case .adjust(let op): return .init(skus: [op.sku], lots: lots(op.lot, op.serials))
        case .scrap(let op): return .init(skus: [op.sku], lots: lots(op.lot, op.serials))
        case .returnFromCustomer(let op):
            return .init(skus: [op.sku], lots: lots(op.lot, op.serials), postingKeys: Set([op.of].compactMap { $0 }))
        case .returnToSupplier(let op):
            return .init(skus: [op.sku], lots: lots(op.lot, op.serials), postingKeys: Set([op.of].compactMap { $0 }))
        case .hold(let op), .release(let op), .reject(let op):
            return .init(skus: [op.sku], lots: lots(op.lot, op.serials))
        case .landedCost(let op): return .init(postingKeys: Set(op.receipts))
        case .consume(let op): return .init(skus: [op.sku], lots: lots(op.lot, op.serials))
        case .produce(let op): return .init(skus: [op.sku], lots: lots(op.lot, op.serials))
        case .supersede(let op): return .init(skus: [op.old, op.new])
        case .setCost(let op): return .init(skus: [op.sku])
        case .purchaseOrder(let op): return .init(skus: Set(op.lines.map(\.sku)))
        case .asn(let op): return .init(skus: Set(op.lines.map(\.sku)), orders: [op.po])
        case .receiveOrder(let op):
            return .init(
                skus: Set(op.lines.map(\.sku)), lots: Set(op.lines.flatMap { lots($0.lot, $0.serials) }),
                orders: [op.po])
        case .salesOrder(let op): return .init(skus: Set(op.lines.map(\.sku)))
        case .allocate(let op):
            return op.sku.map { .init(skus: [$0]) } ?? .init(openDemand: true)
        case .close(let op): return .init(orders: [op.order])
        case .productionOrder(let op): return .init(skus: [op.sku])
        case .produceOrder(let op): return .init(orders: [op.order])
        }
    }
}
