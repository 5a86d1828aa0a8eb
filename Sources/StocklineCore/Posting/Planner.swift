public import Foundation

/// Who posts, when, and under which key: passed in, never read from a clock.
public struct PostingContext: Sendable, Hashable {
    public var postingID: Int64
    public var key: String
    public var now: Date
    public var actor: String
    public var source: String
    public var reason: String?

    public init(
        postingID: Int64, key: String, now: Date, actor: String = "system", source: String = "stockline",
        reason: String? = nil
    ) {
        self.postingID = postingID
        self.key = key
        self.now = now
        self.actor = actor
        self.source = source
        self.reason = reason
    }
}

/// What a done posting answers; also what a replay of its idempotency key returns.
public struct PostingResult: Sendable, Hashable, Codable {
    public var postingID: Int64
    public var key: String
    public var kind: OperationKind
    public var moveIDs: [MoveID]
    /// Units moved, in the item's base unit.
    public var quantity: Quantity
    /// The value that entered (positive) or left (negative) valued stock.
    public var value: Money

    public init(postingID: Int64, key: String, kind: OperationKind, moveIDs: [MoveID], quantity: Quantity, value: Money)
    {
        self.postingID = postingID
        self.key = key
        self.kind = kind
        self.moveIDs = moveIDs
        self.quantity = quantity
        self.value = value
    }
}

/// Turns an operation and the state it reads into moves, quant changes, valuation layers and events.
///
/// It is the ledger's rulebook and does no I/O: the service hands it `LedgerState` (books kept in memory or loaded),
/// the planner changes it or throws, and the service has the store write `state.changes` before it answers.
public struct Planner {
    var state: LedgerState
    let context: PostingContext
    var result: PostingResult
    /// Journal lines with no layer behind them, such as a standard-cost price difference.
    var extraJournalLines: [JournalLine] = []

    init(state: LedgerState, context: PostingContext, kind: OperationKind) {
        self.state = state
        self.context = context
        self.result = PostingResult(
            postingID: context.postingID, key: context.key, kind: kind, moveIDs: [],
            quantity: .zero, value: .zero)
    }

    /// The same as `post`, as a `Result`.
    public static func plan(_ operation: StockOperation, in state: inout LedgerState, context: PostingContext)
        -> Result<PostingResult, StockError>
    {
        do throws(StockError) {
            return .success(try post(operation, in: &state, context: context))
        } catch {
            return .failure(error)
        }
    }

    /// Plans `operation` against `state`; on success `state` holds the posting's changes, on refusal it is untouched.
    public static func post(_ operation: StockOperation, in state: inout LedgerState, context: PostingContext)
        throws(StockError) -> PostingResult
    {
        var planner = Planner(state: state, context: context, kind: operation.kind)
        try planner.apply(operation)
        planner.journal(since: state.changes)
        var payload = [
            "posting": String(context.postingID), "quantity": planner.result.quantity.description,
            "value": planner.result.value.description, "actor": context.actor, "source": context.source,
        ]
        let warehouses = planner.warehousesTouched(since: state.changes)
        if !warehouses.isEmpty { payload[LedgerEvent.warehousesKey] = warehouses.sorted().joined(separator: ",") }
        planner.state.changes.events.append(
            .init(
                type: "posting.\(operation.kind.rawValue)", subject: context.key, payload: payload))
        state = planner.state
        return planner.result
    }

    /// The codes of the warehouses whose locations (transit included) the moves this posting created or changed
    /// go from or to, so webhook subscribers can filter postings by warehouse.
    func warehousesTouched(since before: ChangeSet) -> Set<String> {
        let earlier = Set(before.newMoves).union(before.updatedMoves)
        let moves = Set(state.changes.newMoves).union(state.changes.updatedMoves).subtracting(earlier)
        var codes = Set<String>()
        for move in moves.compactMap({ state.moves[$0] }) {
            for id in [move.fromID, move.toID] {
                guard let location = state.catalog.locations[id],
                    let warehouse = state.catalog.warehouse(of: location)
                else { continue }
                codes.insert(warehouse.code)
            }
        }
        return codes
    }

    mutating func apply(_ operation: StockOperation) throws(StockError) {
        switch operation {
        case .receive(let op): try receive(op)
        case .deliver(let op): try deliver(op)
        case .reserve(let op): try reserve(op)
        case .unreserve(let op): try unreserve(op)
        case .ship(let op): try ship(op)
        case .transfer(let op): try transfer(op)
        case .arrive(let op): try arrive(op)
        case .count(let op): try count(op)
        case .adjust(let op): try adjust(op)
        case .scrap(let op): try scrap(op)
        case .returnFromCustomer(let op): try returnFromCustomer(op)
        case .returnToSupplier(let op): try returnToSupplier(op)
        case .hold(let op): try hold(op)
        case .release(let op): try release(op)
        case .reject(let op): try reject(op)
        case .landedCost(let op): try landedCost(op)
        case .consume(let op): try consume(op)
        case .produce(let op): try produce(op)
        case .supersede(let op): try supersede(op)
        case .setCost(let op): try setCost(op)
        case .purchaseOrder(let op): try purchaseOrder(op)
        case .asn(let op): try asn(op)
        case .receiveOrder(let op): try receiveOrder(op)
        case .salesOrder(let op): try salesOrder(op)
        case .allocate(let op): try allocate(op)
        case .close(let op): try close(op)
        case .productionOrder(let op): try productionOrder(op)
        case .produceOrder(let op): try produceOrder(op)
        }
    }

    // MARK: - Resolution and validation

    func item(_ sku: String) throws(StockError) -> Item {
        let id = try state.itemID(sku: sku)
        guard let book = state.books[id] else { throw .unknownItem(sku: sku) }
        return book.item
    }

    /// A positive quantity in base units, within the unit's precision.
    func quantity(
        _ quantity: Quantity, uom: String?, of item: Item, allowZero: Bool = false,
        allowNegative: Bool = false
    ) throws(StockError) -> Quantity {
        if quantity.isZero && !allowZero {
            throw .invalidQuantity(sku: item.sku, quantity: quantity, reason: "must not be zero")
        }
        if quantity.isNegative && !allowNegative {
            throw .invalidQuantity(sku: item.sku, quantity: quantity, reason: "must be positive")
        }
        guard quantity.magnitude <= Fixed.maximumQuantity else {
            throw .invalidQuantity(sku: item.sku, quantity: quantity, reason: "is larger than \(Fixed.maximumQuantity)")
        }
        let base = try item.toBase(quantity, unitName: uom)
        guard base.magnitude <= Fixed.maximumQuantity else {
            throw .invalidQuantity(
                sku: item.sku, quantity: quantity, reason: "is larger than \(Fixed.maximumQuantity) \(item.unit.name)")
        }
        guard base.isMultiple(of: item.unit.precision) else {
            throw .invalidQuantity(
                sku: item.sku, quantity: quantity,
                reason: "is finer than \(item.unit.name)'s precision \(item.unit.precision)")
        }
        return base
    }

    /// The value of `quantity` (in the unit it was given in) at `unitCost` per that unit, in company currency.
    func value(
        of quantity: Quantity, at unitCost: Money, currency: String?, rate: Fixed?,
        company: Company
    ) throws(StockError) -> Money {
        var cost = unitCost
        guard unitCost.magnitude <= Fixed.maximumQuantity, (rate ?? .zero).magnitude <= Fixed.maximumQuantity else {
            throw .validationFailed(
                field: "unit_cost", reason: "a unit cost or rate above \(Fixed.maximumQuantity) is not accepted")
        }
        if let currency, currency != company.currency {
            guard let rate, rate.isPositive else {
                throw .validationFailed(
                    field: "rate", reason: "a unit cost in \(currency) needs a positive rate to \(company.currency)")
            }
            cost = unitCost.times(rate)
        }
        if cost.isNegative { throw .validationFailed(field: "unit_cost", reason: "must not be negative") }
        let value = quantity.magnitude.times(cost, places: 2)
        guard value <= Fixed.maximumAmount else {
            throw .validationFailed(
                field: "unit_cost", reason: "the posting would be worth more than \(Fixed.maximumAmount)")
        }
        return value
    }

    /// An internal location for a write (warehouse code means its STOCK location).
    func stockLocation(_ reference: String) throws(StockError) -> (Location, Warehouse, Company) {
        let location = try state.catalog.writeLocation(reference)
        guard location.isInternal, let warehouse = state.catalog.warehouse(of: location) else {
            throw .unknownLocation("\(reference) is not a stock location of a warehouse")
        }
        return (location, warehouse, try state.catalog.company(warehouse.companyID))
    }

    func requireActive(_ item: Item) throws(StockError) {
        guard item.lifecycle != .obsolete else {
            let successor = item.successorID.flatMap { state.books[$0]?.item.sku }
            throw .obsoleteItem(sku: item.sku, successor: successor)
        }
    }

    func posting(_ key: String) throws(StockError) -> PostingSummary {
        guard let posting = state.postings[key] else { throw .invalidState("no earlier posting with key \(key)") }
        return posting
    }

    mutating func book(_ id: ItemID) -> ItemBook {
        guard let book = state.books[id] else { preconditionFailure("item \(id) was resolved but not loaded") }
        return book
    }

    mutating func costs(_ itemID: ItemID, _ company: Company) -> CostBook {
        state.books[itemID]?.costs[company.id] ?? CostBook(method: company.costing)
    }

    mutating func setCosts(_ costs: CostBook, _ itemID: ItemID, _ company: Company) {
        state.books[itemID]?.costs[company.id] = costs
        state.changes.costs.insert(.init(itemID: itemID, companyID: company.id))
    }

    /// `account` overrides where the value goes; by default the operation's own counterpart account.
    func valuation(_ itemID: ItemID, _ company: Company, move: MoveID?, account: AccountRole? = nil)
        -> ValuationContext
    {
        ValuationContext(
            companyID: company.id, itemID: itemID, postingID: context.postingID, moveID: move,
            account: account ?? result.kind.counterpartAccount)
    }

    /// Turns the layers this posting created, and its extra lines, into one balanced entry per company.
    mutating func journal(since before: ChangeSet) {
        var lines = extraJournalLines
        for id in state.changes.newLayers.dropFirst(before.newLayers.count) {
            for book in state.books.values {
                guard let layer = book.costs.values.lazy.compactMap({ $0.layers[id] }).first else { continue }
                lines += JournalLine.sides(of: layer)
                break
            }
        }
        let byCompany = Dictionary(grouping: JournalLine.netted(lines), by: \.companyID)
        for (companyID, lines) in byCompany.sorted(by: { $0.key < $1.key }) {
            state.changes.journal.append(
                JournalEntry(
                    postingID: context.postingID, postingKey: context.key, kind: result.kind, companyID: companyID,
                    at: context.now, lines: lines))
        }
    }

    mutating func event(_ type: String, _ item: Item, _ payload: [String: String]) {
        state.changes.events.append(.init(type: type, subject: "item/\(item.sku)", payload: payload))
    }
}
