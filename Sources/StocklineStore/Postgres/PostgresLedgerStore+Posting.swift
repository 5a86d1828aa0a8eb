import Foundation
import PostgresNIO
import StocklineCore

extension PostgresLedgerStore {
    /// What one request left for the rest of its transaction: its result, and the events to number at the end.
    struct Posted: Sendable {
        var result: Result<PostingResult, StockError>
        var events: [OutboxEntry]
    }

    /// Checks the key, plans against freshly loaded state, and writes the changes, in a transaction that already
    /// holds the locks of every item of its batch. A refusal writes nothing. Events are handed back rather than
    /// written, so they are numbered at the end of the transaction (see ``appendEvents(_:_:)``). A `refusal` that
    /// ``checkAndLock(_:db:)`` found is answered as it is.
    static func post(_ request: PostingRequest, refusal: StockError?, catalog: Catalog, db: PostgresSession)
        async throws -> Posted
    {
        if let refusal { return Posted(result: .failure(refusal), events: []) }
        let stateRequest = request.operation.stateRequest
        let fingerprint = try request.fingerprint
        let refusal = try request.refusalFingerprint
        let itemIDs: Set<Int64>
        let next: PostgresRandomAccessRow
        if stateRequest.orders.isEmpty && stateRequest.postingKeys.isEmpty {
            // The batch holds every item's lock already (`commit` locks them all first), so resolving the SKUs,
            // checking the key and taking ids go in one round trip, and the key check sees every commit before.
            guard
                let row = try await db.rows(
                    prepared: KeyAndIDsStatement(skus: stateRequest.skus.sorted(), key: request.key)
                ).first
            else { throw StoreError.corrupt("the id sequences answered nothing") }
            itemIDs = Set(try row.get("items", as: [Int64].self))
            if let stored = try row.get("fingerprint", as: String?.self) {
                guard stored == fingerprint else {
                    return Posted(result: .failure(.idempotencyKeyReused(key: request.key)), events: [])
                }
                return Posted(result: .success(try decode(PostingResult.self, try row.get("result"))), events: [])
            }
            if let claimed = try row.get("claimed", as: String?.self), claimed != refusal {
                return Posted(result: .failure(.idempotencyKeyReused(key: request.key)), events: [])
            }
            next = row
        } else {
            // Locked before the key is checked: a concurrent posting of the same key on the same items has committed
            // by the time the lock is ours, so it is found here instead of failing on the unique key at insert.
            itemIDs = try await lockItems(stateRequest, db: db)
            if let row = try await db.rows("SELECT fingerprint, result FROM posting WHERE key = \(request.key)").first {
                guard try row.get("fingerprint", as: String.self) == fingerprint else {
                    return Posted(result: .failure(.idempotencyKeyReused(key: request.key)), events: [])
                }
                return Posted(result: .success(try decode(PostingResult.self, try row.get("result"))), events: [])
            }
            if let claimed = try await requestKey(request.key, db: db)?.fingerprint, claimed != refusal {
                return Posted(result: .failure(.idempotencyKeyReused(key: request.key)), events: [])
            }
            // Taken after the locks, so the ids of an item's postings grow in the order the postings commit (quants
            // pick first-in-first-out by move id). The block size is read from the sequence itself, so the two can
            // never disagree.
            guard
                let row = try await db.rows(
                    """
                    SELECT nextval('posting_id') AS posting, nextval('row_block') AS block,
                        (SELECT seqincrement FROM pg_sequence WHERE seqrelid = 'row_block'::regclass) AS size
                    """
                ).first
            else { throw StoreError.corrupt("the id sequences answered nothing") }
            next = row
        }
        let postingID: Int64 = try next.get("posting")
        let block: Int64 = try next.get("block")
        let blockSize: Int64 = try next.get("size")
        let loaded = try await loadState(
            stateRequest, itemIDs: itemIDs, catalog: catalog,
            ids: IDAllocator(nextMove: block, nextLayer: block, nextLot: block), db: db)
        let context = PostingContext(
            postingID: postingID, key: request.key, now: request.now, actor: request.actor,
            source: request.source, reason: request.reason)
        var state = loaded
        var planned = Planner.plan(request.operation, in: &state, context: context)
        guard case .success = planned else { return Posted(result: planned, events: []) }
        let used = max(state.ids.nextMove, state.ids.nextLayer, state.ids.nextLot) - block
        if used > blockSize {
            // Rare (a receipt of thousands of serials): plan again, the planner being pure, on a run of blocks.
            let blocks = (used + blockSize - 1) / blockSize
            guard let start = try await reserveBlocks(blocks, size: blockSize, db: db) else {
                throw PostgresStoreError.rowBlockExhausted(key: request.key, used: used, limit: blockSize)
            }
            state = loaded
            state.ids = IDAllocator(nextMove: start, nextLayer: start, nextLot: start)
            planned = Planner.plan(request.operation, in: &state, context: context)
            let usedAgain = max(state.ids.nextMove, state.ids.nextLayer, state.ids.nextLot) - start
            guard case .success = planned, usedAgain <= blocks * blockSize else {
                throw StoreError.corrupt("posting \(request.key) planned differently the second time")
            }
        }
        guard case .success(let result) = planned else { return Posted(result: planned, events: []) }
        let itemID = result.moveIDs.first.flatMap { state.moves[$0]?.itemID }
        let firstMove = result.moveIDs.first.flatMap { state.moves[$0] }
        let warehouseID = firstMove.flatMap { move in
            catalog.locations[move.fromID]?.warehouseID ?? catalog.locations[move.toID]?.warehouseID
        }
        let companyID = warehouseID.flatMap { catalog.warehouses[$0]?.companyID }
        try await persist(
            state,
            posting: PostingRow(
                id: postingID, request: request, fingerprint: fingerprint, result: CompactJSON.result(result),
                itemID: itemID?.rawValue, companyID: companyID?.rawValue),
            db: db)
        let events = state.changes.events.map {
            OutboxEntry(type: $0.type, subject: $0.subject, payload: $0.payload, at: request.now)
        }
        return Posted(result: .success(result), events: events)
    }

    /// The first id of `count` consecutive blocks of the `row_block` sequence, or nil when concurrent postings kept
    /// taking blocks in between.
    ///
    /// A sequence hands out one block per call, and other transactions may call in between, so the run is taken in
    /// one statement and kept only when it came out consecutive (the blocks of a run that did not are wasted).
    static func reserveBlocks(_ count: Int64, size: Int64, db: PostgresSession) async throws -> Int64? {
        for _ in 0..<10 {
            let starts = try await db.values(
                "SELECT nextval('row_block') FROM generate_series(1, \(count)) ORDER BY 1", as: Int64.self)
            guard let first = starts.first else { return nil }
            if starts == Array(stride(from: first, to: first + count * size, by: Int(size))) { return first }
        }
        return nil
    }

    // MARK: - Locking

    /// The ids of the items a request reads: its SKUs, the items of its orders' open moves, and the items of the
    /// postings it names; the same set `SQLiteLedgerStore.loadState` loads.
    static func resolveItems(_ request: StateRequest, db: PostgresSession) async throws -> Set<Int64> {
        var itemIDs = Set<Int64>()
        if !request.skus.isEmpty {
            itemIDs.formUnion(
                try await db.values("SELECT id FROM item WHERE sku = ANY(\(Array(request.skus)))", as: Int64.self))
        }
        if !request.orders.isEmpty {
            itemIDs.formUnion(
                try await db.values(
                    """
                    SELECT DISTINCT item_id FROM move
                    WHERE reference = ANY(\(Array(request.orders))) AND state IN ('confirmed', 'assigned')
                    """, as: Int64.self))
        }
        if !request.postingKeys.isEmpty {
            itemIDs.formUnion(
                try await db.values(
                    "SELECT item_id FROM posting WHERE key = ANY(\(Array(request.postingKeys))) AND item_id IS NOT NULL",
                    as: Int64.self))
        }
        return itemIDs
    }

    /// Locks the rows of the items `request` reads, in id order, until the transaction ends; answers their ids.
    ///
    /// Every posting that changes an item's quants, layers, costs, lots or moves holds that item's row lock, so once
    /// it is ours nobody else changes what we are about to load, and READ COMMITTED statements see everything
    /// committed before. The lock order is fixed (ascending id), so two postings cannot wait for each other in a
    /// circle. An order's items are only known from its moves, which a concurrent posting may have extended before
    /// our lock was granted; so the set is resolved again after locking, and any newcomer locked too (rare, and out
    /// of order only then: a deadlock it might cause is detected by the server and the transaction retried).
    /// Checks every request of a batch once (``PostingRequest/validate()``) and locks the items of those that pass
    /// up front, in id order, so two batches naming the same items in a different order wait for each other instead
    /// of deadlocking; a name that fails the check never reaches SQL. Answers each request's refusal, if any.
    static func checkAndLock(_ requests: [PostingRequest], db: PostgresSession) async throws -> [StockError?] {
        var whole = StateRequest()
        let refusals = requests.map { request -> StockError? in
            do throws(StockError) {
                try request.validate()
                whole.formUnion(request.operation.stateRequest)
                return nil
            } catch {
                return error
            }
        }
        _ = try await lockItems(whole, db: db)
        return refusals
    }

    static func lockItems(_ request: StateRequest, db: PostgresSession) async throws -> Set<Int64> {
        if request.orders.isEmpty && request.postingKeys.isEmpty {
            // SKUs name their items for good: resolved and locked in one statement.
            guard !request.skus.isEmpty else { return [] }
            return Set(
                try await db.values(
                    "SELECT id FROM item WHERE sku = ANY(\(request.skus.sorted())) ORDER BY id FOR UPDATE",
                    as: Int64.self))
        }
        var locked = Set<Int64>()
        while true {
            let wanted = try await resolveItems(request, db: db)
            let missing = wanted.subtracting(locked)
            guard !missing.isEmpty else { return wanted }
            _ = try await db.rows("SELECT id FROM item WHERE id = ANY(\(missing.sorted())) ORDER BY id FOR UPDATE")
            locked.formUnion(missing)
        }
    }

    // MARK: - Loading

    /// The state of the items `itemIDs`, exactly as `SQLiteLedgerStore.loadState` loads it.
    static func loadState(
        _ request: StateRequest, itemIDs: Set<Int64>, catalog: Catalog, ids: IDAllocator, db: PostgresSession
    ) async throws -> LedgerState {
        let postings = try await loadPostings(request.postingKeys, db: db)
        var books: [ItemID: ItemBook] = [:]
        var moves: [MoveID: Move] = [:]
        var reservations: [MoveID: [Reservation]] = [:]
        for id in itemIDs.sorted() {
            guard
                let (book, open) = try await loadBookAndMoves(
                    ItemID(id), lotNames: request.lots, catalog: catalog, db: db)
            else { continue }
            books[book.item.id] = book
            for move in open { moves[move.id] = move }
        }
        if !moves.isEmpty {
            let rows = try await db.rows(
                """
                SELECT r.* FROM reservation r JOIN move m ON m.id = r.move_id
                WHERE m.item_id = ANY(\(books.keys.map(\.rawValue))) AND m.state = 'assigned'
                ORDER BY r.move_id, r.location_id, r.lot_id
                """)
            for row in rows {
                let moveID = MoveID(try row.get("move_id"))
                let lot: Int64 = try row.get("lot_id")
                reservations[moveID, default: []].append(
                    Reservation(
                        moveID: moveID,
                        key: QuantKey(
                            locationID: LocationID(try row.get("location_id")),
                            lotID: lot == 0 ? nil : LotID(lot)),
                        quantity: Fixed(micros: try row.get("quantity"))))
            }
        }
        var uses: [LayerID: [LayerUse]] = [:]
        for layer in postings.values.flatMap(\.layers) {
            uses[layer.id] = try await db.rows(
                "SELECT * FROM layer_use WHERE origin_id = \(layer.id.rawValue) ORDER BY id"
            ).map { row in
                LayerUse(
                    postingID: try row.get("posting_id"), layerID: LayerID(try row.get("layer_id")),
                    originID: layer.id, quantity: Fixed(micros: try row.get("quantity")),
                    value: Fixed(micros: try row.get("value")), leftStock: try row.get("left_stock"),
                    account: (try row.get("account", as: String?.self)).flatMap(AccountRole.init(rawValue:)))
            }
        }
        return LedgerState(
            catalog: catalog, books: books, moves: moves, reservations: reservations,
            postings: postings, uses: uses, ids: ids)
    }

    static func loadPostings(_ keys: Set<String>, db: PostgresSession) async throws -> [String: PostingSummary] {
        var result: [String: PostingSummary] = [:]
        for key in keys {
            guard let row = try await db.rows("SELECT * FROM posting WHERE key = \(key)").first,
                let kind = OperationKind(rawValue: try row.get("kind"))
            else { continue }
            let id: Int64 = try row.get("id")
            let moveIDs = try await db.values(
                "SELECT id FROM move WHERE posting_id = \(id) ORDER BY id", as: Int64.self)
            let doneQuantity =
                try await db.value(
                    "SELECT coalesce(sum(quantity), 0)::bigint FROM move WHERE id = ANY(\(moveIDs)) AND state = 'done'",
                    as: Int64.self) ?? 0
            let value =
                try await db.value(
                    """
                    SELECT coalesce(sum(value), 0)::bigint FROM valuation_layer
                    WHERE posting_id = \(id) AND scope != 'transit'
                    """, as: Int64.self) ?? 0
            let returned =
                try await db.value(
                    """
                    SELECT coalesce(sum(quantity), 0)::bigint FROM move WHERE origin_id = ANY(\(moveIDs))
                    AND state = 'done' AND kind IN ('return_from_customer', 'return_to_supplier')
                    """, as: Int64.self) ?? 0
            let layers =
                kind == .receive
                ? try await fetchLayers(
                    db, "SELECT * FROM valuation_layer WHERE posting_id = \(id) AND kind = 'in' ORDER BY id") : []
            result[key] = PostingSummary(
                id: id, key: key, kind: kind, itemID: (try row.get("item_id", as: Int64?.self)).map(ItemID.init),
                companyID: (try row.get("company_id", as: Int64?.self)).map(CompanyID.init),
                quantity: Fixed(micros: doneQuantity), value: Fixed(micros: value),
                returnedQuantity: Fixed(micros: returned), moveIDs: moveIDs.map(MoveID.init), layers: layers)
        }
        return result
    }

    static func fetchMoves(_ db: PostgresSession, _ query: PostgresQuery) async throws -> [Move] {
        try await db.rows(query).map { row in
            Move(
                id: MoveID(try row.get("id")), postingID: try row.get("posting_id"),
                itemID: ItemID(try row.get("item_id")), quantity: Fixed(micros: try row.get("quantity")),
                fromID: LocationID(try row.get("from_id")), toID: LocationID(try row.get("to_id")),
                lotID: (try row.get("lot_id", as: Int64?.self)).map(LotID.init),
                state: Move.State(rawValue: try row.get("state")) ?? .draft,
                kind: OperationKind(rawValue: try row.get("kind")) ?? .adjust,
                plannedAt: Date(timeIntervalSince1970: try row.get("planned_at")),
                doneAt: (try row.get("done_at", as: Double?.self)).map { Date(timeIntervalSince1970: $0) },
                reference: try row.get("reference"),
                originID: (try row.get("origin_id", as: Int64?.self)).map(MoveID.init))
        }
    }

    static func fetchLayers(_ db: PostgresSession, _ query: PostgresQuery) async throws -> [ValuationLayer] {
        try await db.rows(query).map { row in
            ValuationLayer(
                id: LayerID(try row.get("id")), companyID: CompanyID(try row.get("company_id")),
                itemID: ItemID(try row.get("item_id")),
                scope: scope(try row.get("scope"), try row.get("scope_warehouse_id")) ?? .company,
                postingID: try row.get("posting_id"),
                moveID: (try row.get("move_id", as: Int64?.self)).map(MoveID.init),
                kind: ValuationLayer.Kind(rawValue: try row.get("kind")) ?? .correction,
                quantity: Fixed(micros: try row.get("quantity")), value: Fixed(micros: try row.get("value")),
                unitCost: Fixed(micros: try row.get("unit_cost")),
                remainingQuantity: Fixed(micros: try row.get("remaining_quantity")),
                remainingValue: Fixed(micros: try row.get("remaining_value")),
                shortQuantity: Fixed(micros: try row.get("short_quantity")),
                shortValue: Fixed(micros: try row.get("short_value")),
                originID: (try row.get("origin_id", as: Int64?.self)).map(LayerID.init),
                shipmentID: try row.get("shipment_id"),
                account: (try row.get("account", as: String?.self)).flatMap(AccountRole.init(rawValue:)))
        }
    }

    static func scope(_ name: String, _ warehouse: Int64) -> CostScope? {
        switch name {
        case "company": .company
        case "warehouse": .warehouse(WarehouseID(warehouse))
        case "transit": .transit(WarehouseID(warehouse))
        default: nil
        }
    }

    static func columns(_ scope: CostScope) -> (String, Int64) {
        switch scope {
        case .company: ("company", 0)
        case .warehouse(let id): ("warehouse", id.rawValue)
        case .transit(let id): ("transit", id.rawValue)
        }
    }

    // MARK: - Writing
}

/// Resolves a posting's SKUs, looks its key up and takes its ids; prepared once per connection.
struct KeyAndIDsStatement: PostgresPreparedStatement {
    typealias Row = PostgresRow

    static let sql = """
        SELECT ARRAY(SELECT id FROM item WHERE sku = ANY($1) ORDER BY id) AS items,
            (SELECT fingerprint FROM posting WHERE key = $2) AS fingerprint,
            (SELECT result FROM posting WHERE key = $2) AS result,
            (SELECT fingerprint FROM request_key WHERE key = $2) AS claimed,
            nextval('posting_id') AS posting, nextval('row_block') AS block,
            (SELECT seqincrement FROM pg_sequence WHERE seqrelid = 'row_block'::regclass) AS size
        """

    var skus: [String]
    var key: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(skus)
        bindings.append(key)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}
