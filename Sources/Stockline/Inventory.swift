public import Foundation
public import StocklineCore
public import StocklineStore
import Synchronization

/// The one service every door calls: the CLI, the scenario runner, the bulk importer and the HTTP API.
///
/// It adds idempotency keys and attribution to operations, posts through the one pipeline (``PostingPipeline``)
/// that batches concurrent postings into shared transactions, and answers stock questions by asking the core to
/// compute them over item books kept in memory and checked against the store.
public final class Inventory: Sendable {
    package let store: any LedgerStore
    public let environment: Environment
    let committer: GroupCommit
    /// Tokens found by hash: a token never changes once stored, and every request looks its token up.
    let knownTokens = Mutex<[String: APIToken]>([:])

    /// - Parameter bookCacheMegabytes: the bound of the item books kept in memory (``BookCache``); 0 keeps none.
    public init(
        store: any LedgerStore, environment: Environment = .live,
        bookCacheMegabytes: Int = BookCache.defaultMegabytes
    ) {
        self.store = store
        self.environment = environment
        self.committer = GroupCommit(pipeline: PostingPipeline(store: store, cacheMegabytes: bookCacheMegabytes))
    }

    /// Opens (and migrates) the ledger at `path`: a SQLite file, or a PostgreSQL database when `path` is a
    /// `postgres://` URL (`?schema=name` picks the schema), so every door takes either with the same option.
    public static func open(
        path: String, environment: Environment = .live, bookCacheMegabytes: Int = BookCache.defaultMegabytes
    ) async throws -> Inventory {
        let store: any LedgerStore
        if PostgresLedgerStore.isURL(path) {
            store = try PostgresLedgerStore(url: path)
        } else {
            store = try SQLiteLedgerStore(path: path)
        }
        try await store.migrate()
        return Inventory(store: store, environment: environment, bookCacheMegabytes: bookCacheMegabytes)
    }

    // MARK: - Master data

    @discardableResult
    public func addCompany(code: String, currency: String = "EUR", costing: CostingMethod = .fifo) async throws
        -> Company
    {
        try await store.addCompany(code: code, currency: currency, costing: costing)
    }

    /// Adds a warehouse with its STOCK, INPUT, QC and OUTPUT locations; `company` defaults to the only one.
    @discardableResult
    public func addWarehouse(
        code: String, company: String? = nil, kind: Warehouse.Kind = .distributionCentre,
        allowNegative: Bool = false
    ) async throws -> Warehouse {
        let catalog = try await store.catalog()
        let owner: Company
        if let company {
            guard let found = catalog.company(code: company) else { throw StockError.unknownCompany(company) }
            owner = found
        } else {
            guard let only = catalog.soleCompany else {
                throw StockError.validationFailed(field: "company", reason: "name the company of warehouse \(code)")
            }
            owner = only
        }
        return try await store.addWarehouse(code: code, company: owner.id, kind: kind, allowNegative: allowNegative)
    }

    @discardableResult
    public func addLocation(path: String) async throws -> Location { try await store.addLocation(path: path) }

    @discardableResult
    public func addItem(_ item: Item) async throws -> Item { try await store.addItem(item) }

    public func catalog() async throws -> Catalog { try await store.catalog() }

    // MARK: - Postings

    /// Posts one operation. A repeated `key` returns the first result and writes nothing.
    ///
    /// - Throws: `StockError` when the ledger refuses (nothing is written), or a store error.
    @discardableResult
    public func post(
        _ operation: StockOperation, key: String? = nil, actor: String = "system",
        source: String = "stockline", reason: String? = nil
    ) async throws -> PostingResult {
        try await attempt(operation, key: key, actor: actor, source: source, reason: reason).get()
    }

    /// Like `post`, but hands back a refusal as a value. `effective` is the business time of the posting (default:
    /// now): what orders date from.
    public func attempt(
        _ operation: StockOperation, key: String? = nil, actor: String = "system",
        source: String = "stockline", reason: String? = nil, token: String? = nil,
        requestID: String? = nil, effective: Date? = nil
    ) async throws -> Result<PostingResult, StockError> {
        let request = PostingRequest(
            key: key ?? environment.newKey(), operation: operation, actor: actor, source: source,
            reason: reason, now: effective ?? environment.now(), token: token, requestID: requestID)
        let results = try await committer.submit([request])
        guard let result = results.first else { throw StoreError.corrupt("a posting was committed without a result") }
        if key != nil { try await recordRefusals([request], results) }
        return result
    }

    /// Leaves each refused request's fingerprint under its key, so the key cannot later post another operation.
    /// The same operation may be sent again: what was refused (stock not there yet) may be accepted later.
    private func recordRefusals(_ requests: [PostingRequest], _ results: [Result<PostingResult, StockError>])
        async throws
    {
        for (request, result) in zip(requests, results) {
            guard case .failure(let error) = result, error.code != StockError.idempotencyKeyReused(key: "").code,
                (try? Identifier.validate(request.key, field: "key", kind: .key)) != nil
            else { continue }
            _ = try await store.saveRequestKey(
                RequestKeyRecord(
                    key: request.key, fingerprint: try request.refusalFingerprint, response: error.code,
                    createdAt: request.now))
        }
    }

    /// Runs a write that is not a posting (a company, a warehouse, an item) under an idempotency key, as postings
    /// run: a replay answers the first result without running again, another request under the key is refused.
    ///
    /// `request` names the write and carries what was asked (its fingerprint); without a key the write just runs.
    public func remember<Value: Codable & Sendable>(
        key: String?, request: some Encodable, _ write: () async throws -> Value
    ) async throws -> Value {
        guard let key else { return try await write() }
        try Identifier.validate(key, field: "Idempotency-Key", kind: .key)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let fingerprint = String(decoding: try encoder.encode(request), as: UTF8.self)
        func replay(_ record: RequestKeyRecord) throws -> Value {
            guard record.fingerprint == fingerprint else { throw StockError.idempotencyKeyReused(key: key) }
            return try JSONDecoder().decode(Value.self, from: Data(record.response.utf8))
        }
        if let record = try await store.requestKey(key) { return try replay(record) }
        let value = try await write()
        let response = String(decoding: try encoder.encode(value), as: UTF8.self)
        return try replay(
            try await store.saveRequestKey(
                RequestKeyRecord(key: key, fingerprint: fingerprint, response: response, createdAt: environment.now())))
    }

    /// The most operations one batch may carry: enough for any feed's chunk, small enough that one caller's
    /// transaction never holds the writer long (the API's `maxItems`).
    public static let maximumBatch = 1_000

    /// Posts operations all or none: if one is refused, nothing is written.
    public func postAtomically(_ requests: [PostingRequest]) async throws -> [Result<PostingResult, StockError>] {
        try Self.checkBatch(requests)
        let results = try await committer.submitAtomically(requests)
        try await recordRefusals(requests, results)
        return results
    }

    /// Posts many operations, each kept or refused on its own (an import). The lines queue with every other writer
    /// and may commit in more than one transaction; each is acknowledged only once committed.
    public func postBatch(_ requests: [PostingRequest]) async throws -> [Result<PostingResult, StockError>] {
        try Self.checkBatch(requests)
        let results = try await committer.submit(requests)
        try await recordRefusals(requests, results)
        return results
    }

    static func checkBatch(_ requests: [PostingRequest]) throws(StockError) {
        guard !requests.isEmpty, requests.count <= maximumBatch else {
            throw .validationFailed(
                field: "operations",
                reason: "a batch holds 1 to \(maximumBatch) operations, not \(requests.count); send more batches")
        }
    }

    // MARK: - Questions

    /// The buckets and value of `sku` at a warehouse code or location path (nil: every warehouse).
    public func position(sku: String, at reference: String? = nil, lot: String? = nil) async throws -> StockPosition {
        let state = try await snapshot(StateRequest(skus: [sku], lots: Set([lot].compactMap { $0 })))
        let itemID = try state.itemID(sku: sku)
        var lotID: LotID?
        if let lot {
            guard let found = state.books[itemID]?.lot(named: lot) else { return StockPosition() }
            lotID = found.id
        }
        guard let reference else {
            var total = StockPosition()
            for warehouse in state.catalog.warehouses.values.sorted(by: { $0.id < $1.id }) {
                guard let root = state.catalog.locations[warehouse.rootLocationID] else { continue }
                total = total.adding(state.position(of: itemID, at: root, lot: lotID))
            }
            return total
        }
        return state.position(of: itemID, at: try state.catalog.readLocation(reference), lot: lotID)
    }

    /// Cost of goods of an outgoing posting, later corrections included.
    public func costOfGoods(postingKey: String) async throws -> Money {
        guard let posting = try await posting(key: postingKey) else {
            throw StockError.invalidState("no posting with key \(postingKey)")
        }
        return -posting.value
    }

    /// Subscribes a receiver to events, after checking what it asks for.
    public func addWebhook(_ new: NewWebhookSubscription) async throws -> WebhookSubscription {
        try new.validate()
        if let warehouses = new.warehouses {
            let catalog = try await catalog()
            if let unknown = warehouses.sorted().first(where: { catalog.warehouse(code: $0) == nil }) {
                throw StockError.unknownWarehouse(unknown)
            }
        }
        return try await store.addWebhook(new)
    }

    /// The posting made under `key`, if any.
    public func posting(key: String) async throws -> PostingSummary? {
        try Identifier.validate(key, field: "key", kind: .key)
        return try await store.postings(keys: [key])[key]
    }

    /// The state a read works on; its names are checked first, as those of a posting are.
    func snapshot(_ request: StateRequest) async throws -> LedgerState {
        try request.validate()
        guard request.lots.isEmpty, request.orders.isEmpty, request.postingKeys.isEmpty else {
            return try await store.snapshot(request)
        }
        // Reads by SKU come from the books kept in memory, checked against the stored versions in one statement.
        let (catalog, books) = try await committer.pipeline.currentBooks(skus: request.skus)
        return LedgerState(
            catalog: catalog, loaded: books.values, ids: IDAllocator(nextMove: 0, nextLayer: 0, nextLot: 0))
    }

    /// Stock value of `sku` over every warehouse and transit, of one company or all.
    public func totalValue(sku: String, company: String? = nil) async throws -> Money {
        let state = try await snapshot(StateRequest(skus: [sku]))
        let itemID = try state.itemID(sku: sku)
        var companyID: CompanyID?
        if let company {
            guard let found = state.catalog.company(code: company) else { throw StockError.unknownCompany(company) }
            companyID = found.id
        }
        return try await store.totalValue(item: itemID, company: companyID)
    }

    public func moves(sku: String, limit: Int = 100) async throws -> [Move] {
        let state = try await snapshot(StateRequest(skus: [sku]))
        return try await store.moves(item: try state.itemID(sku: sku), limit: limit)
    }

    public func events(after sequence: Int64 = 0, limit: Int = 100) async throws -> [LedgerEvent] {
        try await store.events(after: sequence, limit: limit)
    }

    /// Every broken invariant of the ledger; empty when it is sound.
    public func verify() async throws -> [String] { try await store.verify() }

    /// Each item book kept in memory that is not what the store holds, described: empty when the cache is exact.
    public func bookCacheDrift() async throws -> [String] {
        try await committer.pipeline.drift().sorted { $0.key < $1.key }.map { id, books in
            guard let stored = books.stored else { return "item \(id.rawValue) is cached but not stored" }
            return "item \(id.rawValue): " + books.cached.differences(from: stored).joined(separator: "; ")
        }
    }
}

extension StockPosition {
    func adding(_ other: StockPosition) -> StockPosition {
        var sum = self
        sum.onHand += other.onHand
        sum.blocked += other.blocked
        sum.reserved += other.reserved
        sum.inTransit += other.inTransit
        sum.incoming += other.incoming
        sum.outgoing += other.outgoing
        sum.value += other.value
        sum.unitCost = sum.onHand.isZero ? other.unitCost : sum.value.divided(by: sum.onHand)
        return sum
    }
}

extension Inventory {
    /// Items whose quantities over all locations do not sum to zero (the conservation law).
    public func imbalances() async throws -> [String] {
        try await store.verify().filter { $0.hasPrefix("conservation:") }
    }

    /// Decimal places of an item's unit precision, for comparing quantities as a person reads them.
    public func quantityPlaces(sku: String) async throws -> Int {
        let state = try await snapshot(StateRequest(skus: [sku]))
        return state.books[try state.itemID(sku: sku)]?.item.unit.precisionPlaces ?? 3
    }
}

extension Inventory {
    /// The projected-stock (available-to-promise) timeline of `sku` at a warehouse or location.
    public func projection(sku: String, at reference: String) async throws -> (
        start: Quantity, points: [ProjectionPoint]
    ) {
        let state = try await snapshot(StateRequest(skus: [sku]))
        return state.projection(of: try state.itemID(sku: sku), at: try state.catalog.readLocation(reference))
    }
}

extension Inventory {
    public func item(sku: String) async throws -> Item? {
        let state = try await snapshot(StateRequest(skus: [sku]))
        return state.skus[sku].flatMap { state.books[$0]?.item }
    }

    /// A page of items in creation order, after the item with SKU `after`.
    public func items(after sku: String?, limit: Int) async throws -> [Item] {
        var cursor: ItemID?
        if let sku {
            guard let item = try await item(sku: sku) else { throw StockError.unknownItem(sku: sku) }
            cursor = item.id
        }
        return try await store.items(limit: max(1, min(limit, 1000)), after: cursor)
    }

    /// SKUs by item id.
    public func skus(of ids: [ItemID]) async throws -> [ItemID: String] {
        guard !ids.isEmpty else { return [:] }
        return Dictionary(try await store.items(ids: ids).map { ($0.id, $0.sku) }, uniquingKeysWith: { a, _ in a })
    }

    /// The lots and serial numbers of an item that are in a warehouse or in transit.
    public func lotsInStock(sku: String) async throws -> [Lot] {
        let state = try await snapshot(StateRequest(skus: [sku]))
        guard let book = state.books[try state.itemID(sku: sku)] else { return [] }
        let held = Set(book.quants.values.filter { $0.quantity.isPositive }.compactMap(\.key.lotID))
        return book.lots.values.filter { held.contains($0.id) }.sorted { $0.name < $1.name }
    }

    /// The open moves an order holds (its reservations), oldest first.
    public func reservations(order: String) async throws -> [Move] {
        let state = try await snapshot(StateRequest(orders: [order]))
        return state.moves.values.filter { $0.reference == order && $0.kind == .reserve }.sorted { $0.id < $1.id }
    }
}

extension Inventory {
    /// The warehouses an operation writes in, for warehouse-scoped access.
    public func warehouses(touchedBy operation: StockOperation) async throws -> Set<String> {
        let catalog = try await catalog()
        func code(_ reference: String) -> String? {
            if let warehouse = catalog.warehouse(code: reference) { return warehouse.code }
            return catalog.location(path: reference)?.warehouseID.flatMap { catalog.warehouses[$0]?.code }
        }
        let references: [String]
        switch operation {
        case .receive(let op): references = [op.at]
        case .deliver(let op): references = [op.from]
        case .reserve(let op): references = [op.at]
        case .transfer(let op): references = [op.from, op.to]
        case .count(let op): references = [op.at]
        case .adjust(let op): references = [op.at]
        case .scrap(let op): references = [op.from]
        case .returnFromCustomer(let op): references = [op.to]
        case .returnToSupplier(let op): references = [op.from]
        case .hold(let op), .release(let op), .reject(let op): references = [op.at]
        case .consume(let op): references = [op.at]
        case .produce(let op): references = [op.at]
        case .unreserve(let op), .ship(let op):
            return Set(
                try await reservations(order: op.order).compactMap { catalog.locations[$0.fromID]?.warehouseID }
                    .compactMap { catalog.warehouses[$0]?.code })
        case .arrive(let op):
            let state = try await snapshot(StateRequest(postingKeys: [op.transfer]))
            guard let posting = state.postings[op.transfer] else { return [] }
            return Set(
                state.moves.values.filter { $0.postingID == posting.id }
                    .compactMap { catalog.locations[$0.toID]?.warehouseID }.compactMap { catalog.warehouses[$0]?.code })
        case .purchaseOrder(let op): references = [op.at]
        case .salesOrder(let op): references = [op.at]
        case .allocate(let op): references = [op.at].compactMap { $0 }
        case .asn(let op): return try await warehouses(ofOrder: op.po)
        case .receiveOrder(let op): return try await warehouses(ofOrder: op.po)
        case .close(let op): return try await warehouses(ofOrder: op.order)
        case .productionOrder(let op): references = [op.at]
        case .produceOrder(let op): return try await warehouses(ofOrder: op.order)
        case .landedCost, .supersede, .setCost: return []
        }
        return Set(references.compactMap(code))
    }

    private func warehouses(ofOrder id: String) async throws -> Set<String> {
        guard let order = try await store.order(id: id) else { return [] }
        return Set([try await catalog().warehouses[order.warehouseID]?.code].compactMap { $0 })
    }
}

extension Inventory {
    /// The newest committed event's sequence number (0 when there is none): the outbox is gapless from 1.
    public func latestEventSequence() async throws -> Int64 {
        Int64(try await store.counts().events)
    }
}

extension LoadedBook {
    /// What differs from `other`, part by part, for a person to read.
    func differences(from other: LoadedBook) -> [String] {
        var found: [String] = []
        func compare<T: Equatable>(_ name: String, _ mine: T, _ theirs: T) {
            if mine != theirs { found.append("\(name): cached \(mine), stored \(theirs)") }
        }
        compare("item", book.item, other.book.item)
        compare("lots", book.lots, other.book.lots)
        for key in Set(book.quants.keys).union(other.book.quants.keys) {
            compare("quant \(key)", book.quants[key], other.book.quants[key])
        }
        for company in Set(book.costs.keys).union(other.book.costs.keys) {
            let mine = book.costs[company]
            let theirs = other.book.costs[company]
            compare("costs of company \(company) (totals)", mine?.totals, theirs?.totals)
            compare("costs of company \(company) (scopes)", mine?.scopes, theirs?.scopes)
            compare("costs of company \(company) (layers)", mine?.layers.values, theirs?.layers.values)
        }
        for id in Set(moves.keys).union(other.moves.keys) { compare("move \(id)", moves[id], other.moves[id]) }
        for id in Set(reservations.keys).union(other.reservations.keys) {
            compare("reservation of move \(id)", reservations[id], other.reservations[id])
        }
        compare("version", version, other.version)
        return found
    }
}
