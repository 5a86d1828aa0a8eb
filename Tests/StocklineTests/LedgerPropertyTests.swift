import Foundation
import PropertyBased
import Stockline
import StocklineCore
import StocklineScenario
import StocklineTestSupport
import Testing

@testable import StocklineStore

/// Drives thousands of random operations through the service and checks the ledger's invariants after every step.
///
/// Knobs (environment variables), so a failure can be replayed and explored:
/// - `STOCKLINE_PROPERTY_SEED`: the seed (base64, as printed), or `random`; a fixed seed by default, always printed.
/// - `STOCKLINE_PROPERTY_STEPS`: how many operations (default 10,000).
/// - `STOCKLINE_PROPERTY_SKIP`: operation kinds to leave out, comma-separated (`count,adjust`), to look past a known
///   failure for the next one.
/// - `STOCKLINE_PROPERTY_AVOID`: known failure patterns to steer around, comma-separated:
///   `unknown-lot` (no outgoing stock of a lot name the ledger has never seen, from a warehouse allowing negative
///   stock), `return-of-order` (no customer return against a `ship`, or a delivery that shipped an order),
///   `negative-reserved` (no outgoing stock beyond what is unreserved, where negative stock is allowed and some is
///   reserved), `count-reserved` (no count where some of the item is reserved).
@Suite("ledger properties under random operations", .serialized)
struct LedgerPropertyTests {
    @Test("10,000 random operations keep the ledger balanced, replayable, never oversold and idempotent")
    func randomOperationsKeepTheLedgerSound() async throws {
        let environment = ProcessInfo.processInfo.environment
        let rng =
            switch environment["STOCKLINE_PROPERTY_SEED"] {
            case "random": Xoshiro()
            case let seed?: try #require(Xoshiro(seed: seed), "STOCKLINE_PROPERTY_SEED \(seed) is not a seed")
            case nil:
                Xoshiro(
                    seed: (0x5374_6F63_6B6C_696E, 0x6520_6C65_6467_6572, 0x2070_726F_7065_7274, 0x7920_7465_7374_0001))
            }
        let seed = rng.currentSeed
        let steps = environment["STOCKLINE_PROPERTY_STEPS"].flatMap(Int.init) ?? 10_000
        let skipped = Set((environment["STOCKLINE_PROPERTY_SKIP"] ?? "").split(separator: ",").map(String.init))
        let avoided = Set((environment["STOCKLINE_PROPERTY_AVOID"] ?? "").split(separator: ",").map(String.init))
        print("ledger property test: seed \(seed), \(steps) steps (STOCKLINE_PROPERTY_SEED=\(seed) to replay)")
        try await withTemporaryLedger { ledger in
            let driver = try await LedgerDriver(
                inventory: ledger.inventory, clock: ledger.clock, rng: rng, skipped: skipped,
                avoided: avoided)
            let started = ContinuousClock.now
            let failure = try await driver.run(steps: steps)
            let elapsed = ContinuousClock.now - started
            print("ledger property test: \(driver.stepsRun) steps in \(elapsed): \(driver.statistics)")
            if let failure {
                Issue.record(
                    """
                    \(failure)
                    seed: \(seed) (rerun with STOCKLINE_PROPERTY_SEED=\(seed) STOCKLINE_PROPERTY_STEPS=\(driver.stepsRun))
                    last steps:
                    \(driver.recent.joined(separator: "\n"))
                    """)
            }
            if failure == nil {
                #expect(driver.stepsRun == steps)
                // The run must have exercised the ledger, not just been refused.
                #expect(driver.successes > steps / 3, "only \(driver.successes) of \(steps) operations were posted")
                #expect(
                    steps < 1_000 || driver.landedOnFilledShortfalls > 0,
                    "no landed cost fell on a receipt that filled a shortfall")
            }
        }
    }
}

// MARK: - The model

/// Where stock sits as the model sees it: a lot ("" when untracked) at a place: a warehouse's stock (`WH1`, every
/// internal location but QC), its quality control (`WH1/QC`) or the transit location towards it (`Transit/WH1`).
struct Cell: Hashable, Comparable, CustomStringConvertible {
    var lot: String
    var place: String

    static func < (lhs: Cell, rhs: Cell) -> Bool { (lhs.place, lhs.lot) < (rhs.place, rhs.lot) }
    var description: String { lot.isEmpty ? place : "\(place)#\(lot)" }
}

/// One item as read from the store, with every invariant violation found while reading it.
struct Observation: Equatable {
    var cells: [Cell: Fixed] = [:]
    var reserved: [Cell: Fixed] = [:]
    /// Open orders of the item and what they hold reserved.
    var orders: [String: Fixed] = [:]
    var problems: [String] = []

    func quantity(_ lot: String, _ place: String) -> Fixed { cells[Cell(lot: lot, place: place)] ?? .zero }
    func reservedQuantity(_ lot: String, _ place: String) -> Fixed { reserved[Cell(lot: lot, place: place)] ?? .zero }
    func available(_ lot: String, _ place: String) -> Fixed { quantity(lot, place) - reservedQuantity(lot, place) }
    func total(at place: String) -> Fixed { cells.filter { $0.key.place == place }.values.reduce(.zero, +) }
    func totalAvailable(at place: String) -> Fixed {
        total(at: place) - reserved.filter { $0.key.place == place }.values.reduce(.zero, +)
    }
    func lots(at place: String) -> [String] {
        cells.filter { $0.key.place == place && $0.value.isPositive }.keys.map(\.lot).sorted()
    }
}

/// Stock moving between places (nil: a virtual location, outside the warehouses). `lot` nil: the ledger chooses.
struct Flow: CustomStringConvertible {
    var lot: String?
    var from: String?
    var to: String?
    var quantity: Fixed

    var description: String { "\(quantity) \(lot.map { "#\($0) " } ?? "")\(from ?? "out") -> \(to ?? "out")" }
}

struct OrderModel {
    var sku: String
    var warehouse: String
    var lot: String?
    var reserved: Fixed
    /// A count took part of its reservation away; its later behaviour is checked for soundness only.
    var trimmed = false
}

struct ShipmentModel {
    var key: String
    var sku: String
    var to: String
    var lot: String?
    var remaining: Fixed
}

struct DocumentModel {
    var key: String
    var sku: String
    var warehouse: String
    var quantity: Fixed
    var returned: Fixed = .zero
    var lot: String?
    /// Shipped what an order had reserved (a `ship`, or a `deliver` naming the order).
    var viaOrder = false
    /// A receipt into a warehouse whose stock was below zero: part of it filled the shortfall.
    var filledShortfall = false
}

enum Outcome {
    case succeeds
    case refused(String)
    /// Either is acceptable (the rules involve more than the model tracks); a refusal must have one of these codes.
    case either(Set<String>)
}

/// One generated step: the operation, what it should do, and what the model learns when it is posted.
struct Plan {
    var sku: String
    var operation: StockOperation
    var outcome: Outcome
    /// The flows, given the posting's result (ship and arrive move what they find).
    var flows: (PostingResult) -> [Flow]
    /// Whether reservations of the item may shrink (a count can take reserved stock away).
    var mayTrim = false
    /// What the model learns from the posting (its key and result); a returned text is a broken expectation.
    var onPosted: (String, PostingResult) -> String? = { _, _ in nil }
}

// MARK: - The driver

final class LedgerDriver {
    let inventory: Inventory
    let clock: FixedClock
    var rng: Xoshiro
    let skipped: Set<String>
    let avoided: Set<String>

    static let skus = ["P1", "P2", "FL", "OIL", "ECU"]
    static let warehouses = ["WH1", "WH2", "NEG", "B1", "B2"]
    static let negative: Set<String> = ["NEG", "B2"]
    static let companies = ["WH1": "ACME", "WH2": "ACME", "NEG": "ACME", "B1": "BETA", "B2": "BETA"]
    static let lotNames = ["L1", "L2", "L3", "L4", "L5"]

    var observed: [String: Observation] = [:]
    var orders: [String: OrderModel] = [:]
    var shipments: [String: ShipmentModel] = [:]
    var deliveries: [DocumentModel] = []
    var receipts: [DocumentModel] = []
    var serialsAtCustomer: Set<String> = []
    var posted: [(key: String, sku: String, operation: StockOperation, result: PostingResult)] = []
    var lastEvent: Int64 = 0
    var serialCounter = 0
    /// OIL lot names the ledger has seen come in.
    var knownLots: Set<String> = []
    var orderCounter = 0
    /// Landed costs posted on receipts that had filled a shortfall.
    var landedOnFilledShortfalls = 0

    var stepsRun = 0
    var successes = 0
    var refusals: [String: Int] = [:]
    var kinds: [String: Int] = [:]
    var verifications = 0
    var recent: [String] = []
    /// Time spent per phase, to keep the test's runtime in view.
    var timings: [String: Duration] = [:]

    func timed<T>(_ phase: String, _ body: () async throws -> T) async rethrows -> T {
        let start = ContinuousClock.now
        defer { timings[phase, default: .zero] += ContinuousClock.now - start }
        return try await body()
    }

    var statistics: String {
        "\(successes) posted, \(landedOnFilledShortfalls) landed costs on receipts that filled a shortfall, refused \(refusals.sorted { $0.key < $1.key }), kinds \(kinds.sorted { $0.key < $1.key }), "
            + "\(verifications) full verifications, time by phase \(timings.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" })"
    }

    init(inventory: Inventory, clock: FixedClock, rng: Xoshiro, skipped: Set<String>, avoided: Set<String>) async throws
    {
        self.inventory = inventory
        self.clock = clock
        self.rng = rng
        self.skipped = skipped
        self.avoided = avoided
        try await TestWorld(
            companies: [.init("ACME", costing: .fifo), .init("BETA", costing: .average)],
            warehouses: [
                .init("WH1", company: "ACME"), .init("WH2", company: "ACME"),
                .init("NEG", company: "ACME", allowNegative: true), .init("B1", company: "BETA"),
                .init("B2", company: "BETA", allowNegative: true),
            ],
            locations: ["WH2/STOCK/BIN"],
            items: [
                .init("P1"), .init("P2"), .init("FL", uom: "kg"), .init("OIL", uom: "l", tracking: .lot),
                .init("ECU", tracking: .serial),
            ]
        ).build(in: inventory)
        for sku in Self.skus { observed[sku] = Observation() }
        lastEvent = try await inventory.events(after: 0, limit: 10_000).last?.sequence ?? 0
    }

    // MARK: Running

    /// Runs up to `steps` operations; returns a description of the first broken property, or nil.
    func run(steps: Int) async throws -> String? {
        for step in 1...max(1, steps) {
            stepsRun = step
            clock.advance()
            if let failure = try await runStep(step) { return "step \(step): \(failure)" }
            if let drift = try await timed("cache", { try await inventory.bookCacheDrift().first }) {
                return "after step \(step), the book cache is not the store: \(drift)"
            }
            // verify() scans the whole ledger and gets slower as it grows: every step while the ledger is small,
            // then every 1,000 steps and after the last.
            if step <= 500 || step % 1_000 == 0 || step == steps {
                if let failure = try await timed("verify", { try await verifyAll() }) {
                    return "after step \(step): \(failure)"
                }
            }
        }
        return nil
    }

    func note(_ line: String) {
        recent.append(line)
        if recent.count > 25 { recent.removeFirst() }
    }

    func runStep(_ step: Int) async throws -> String? {
        let plan = makePlan()
        let key = "k\(step)"
        let fingerprint = try CanonicalJSON.fastText(plan.operation)
        let reference = try CanonicalJSON.foundationText(plan.operation)
        if fingerprint != reference { return "fingerprint \(fingerprint ?? "nil") is not \(reference)" }
        if let misread = try readBack(plan.operation) { return misread }
        let before = observed[plan.sku] ?? Observation()
        kinds[plan.operation.kind.rawValue, default: 0] += 1
        let outcome = try await timed("post") { try await inventory.attempt(plan.operation, key: key) }
        let newEvents = try await timed("events") { try await inventory.events(after: lastEvent, limit: 100) }
        switch outcome {
        case .success(let result):
            note("\(key) \(describe(plan.operation)) -> posted \(result.quantity) value \(result.value)")
            successes += 1
            if case .refused(let code) = plan.outcome {
                return
                    "\(describe(plan.operation)) should have been refused with \(code) but was posted (\(result.quantity))"
            }
            guard let last = newEvents.last else { return "\(describe(plan.operation)) was posted without an event" }
            // Only this posting wrote events since the last step (so the previous step's replay wrote none).
            let foreign = newEvents.filter { $0.subject != key }
            if !foreign.isEmpty {
                return "events not of \(key) appeared (a replay wrote?): \(foreign.map { "\($0.type) \($0.subject)" })"
            }
            lastEvent = last.sequence
            let after = try await timed("observe") { try await observe(plan.sku) }
            if !after.problems.isEmpty { return "\(describe(plan.operation)) broke invariants: \(after.problems)" }
            let flows = plan.flows(result)
            if let mismatch = compare(before: before, flows: flows, after: after) {
                return "\(describe(plan.operation)) (flows \(flows)) moved the wrong stock: \(mismatch)"
            }
            if let mismatch = plan.onPosted(key, result) {
                return "\(describe(plan.operation)): \(mismatch)"
            }
            if let mismatch = learnOrders(plan, result: result, after: after) {
                return "\(describe(plan.operation)): \(mismatch)"
            }
            observed[plan.sku] = after
            if plan.sku == "OIL" { knownLots.formUnion(after.cells.keys.map(\.lot)) }
            posted.append((key, plan.sku, plan.operation, result))
        case .failure(let error):
            note("\(key) \(describe(plan.operation)) -> refused \(error.code): \(error)")
            refusals[error.code, default: 0] += 1
            switch plan.outcome {
            case .succeeds:
                return "\(describe(plan.operation)) should have been posted but was refused: \(error.code): \(error)"
            case .refused(let code) where code != error.code:
                return "\(describe(plan.operation)) was refused with \(error.code) (\(error)), expected \(code)"
            case .either(let codes) where !codes.contains(error.code):
                return
                    "\(describe(plan.operation)) was refused with \(error.code) (\(error)), expected one of \(codes.sorted())"
            default: break
            }
            if !newEvents.isEmpty {
                return "a refused \(plan.operation.kind.rawValue) or the previous step's replay wrote events "
                    + "\(newEvents.map { "\($0.type) \($0.subject)" })"
            }
            let after = try await observe(plan.sku)
            if after != before {
                return "a refused \(describe(plan.operation)) changed the item: \(diff(before, after))"
            }
        }
        // The replayed item is read back every tenth step; in between, a replay that changed stock shows up when
        // the item is next posted (its change is then checked against the model) and in the periodic verify().
        return try await timed("replay") { try await replayEarlierKey(observing: step % 10 == 0) }
    }

    /// Re-posts a random earlier key: it must return the first result and change nothing.
    func replayEarlierKey(observing: Bool) async throws -> String? {
        guard !posted.isEmpty else { return nil }
        let earlier = posted[Int.random(in: 0..<posted.count, using: &rng)]
        let outcome = try await inventory.attempt(earlier.operation, key: earlier.key)
        guard case .success(let result) = outcome else {
            return "replaying \(earlier.key) (\(describe(earlier.operation))) was refused: \(outcome)"
        }
        if result != earlier.result {
            return "replaying \(earlier.key) returned \(result), the first result was \(earlier.result)"
        }
        // Events it might have written show up in the next step's check (and after the last step).
        guard observing else { return nil }
        let after = try await observe(earlier.sku)
        if after != observed[earlier.sku] {
            return
                "replaying \(earlier.key) changed \(earlier.sku): \(diff(observed[earlier.sku] ?? Observation(), after))"
        }
        return nil
    }

    /// The SQL checks of `verify()` (conservation over every location including virtual ones, quants equal the
    /// replay of moves, reservations, negative stock, valuation, outbox) and the row counts.
    func verifyAll() async throws -> String? {
        verifications += 1
        let problems = try await inventory.verify()
        if !problems.isEmpty { return "verify() found \(problems.count) problems: \(problems.prefix(10))" }
        let events = try await inventory.events(after: lastEvent, limit: 10)
        if !events.isEmpty { return "a replay wrote events \(events.map { "\($0.type) \($0.subject)" })" }
        let counts = try await inventory.store.counts()
        if counts.postings != successes { return "\(counts.postings) postings stored, \(successes) operations posted" }
        return nil
    }

    // MARK: Observing

    func observe(_ sku: String) async throws -> Observation {
        let state = try await timed("observe: snapshot") {
            try await inventory.store.snapshot(StateRequest(skus: [sku]))
        }
        var observation = Observation()
        guard let itemID = state.skus[sku], let book = state.books[itemID] else {
            observation.problems.append("\(sku) is not in the snapshot")
            return observation
        }
        let catalog = state.catalog
        var claimed: [QuantKey: Fixed] = [:]
        for lines in state.reservations.values {
            for line in lines { claimed[line.key, default: .zero] += line.quantity }
        }
        for quant in book.quants.values {
            guard let location = catalog.locations[quant.key.locationID] else {
                observation.problems.append("a quant at unknown location \(quant.key.locationID)")
                continue
            }
            let lot = quant.key.lotID.map { id in book.lots[id]?.name ?? "<no lot with id \(id)>" } ?? ""
            let warehouse = location.warehouseID.flatMap { catalog.warehouses[$0] }
            let place: String
            switch location.usage {
            case .internal:
                guard let warehouse, let qc = catalog.locations[warehouse.qcLocationID] else {
                    observation.problems.append("internal location \(location.path) has no warehouse")
                    continue
                }
                place = qc.contains(location) ? "\(warehouse.code)/QC" : warehouse.code
                if quant.quantity.isNegative && !warehouse.allowNegative {
                    observation.problems.append(
                        "negative stock \(quant.quantity) of \(sku) lot \(lot) at \(location.path)")
                }
            case .transit:
                place = "Transit/\(warehouse?.code ?? "?")"
                if quant.quantity.isNegative {
                    observation.problems.append(
                        "negative transit stock \(quant.quantity) of \(sku) at \(location.path)")
                }
            default:
                continue
            }
            if quant.reserved.isNegative || quant.reserved > max(quant.quantity, .zero) {
                observation.problems.append(
                    "oversold: \(sku) lot \(lot) at \(location.path) has \(quant.reserved) reserved of \(quant.quantity)"
                )
            }
            if quant.reserved.isPositive && location.usage != .internal {
                observation.problems.append("\(sku) is reserved at \(location.path), which is not a stock location")
            }
            if (claimed[quant.key] ?? .zero) != quant.reserved {
                observation.problems.append(
                    "\(sku) lot \(lot) at \(location.path) marks \(quant.reserved) reserved, open reservations claim \(claimed[quant.key] ?? .zero)"
                )
            }
            let cell = Cell(lot: lot, place: place)
            observation.cells[cell, default: .zero] += quant.quantity
            observation.reserved[cell, default: .zero] += quant.reserved
        }
        for (key, quantity) in claimed where book.quants[key] == nil && quantity.isPositive {
            observation.problems.append("reservations claim \(quantity) of \(sku) where there is no quant (\(key))")
        }
        observation.cells = observation.cells.filter { !$0.value.isZero }
        observation.reserved = observation.reserved.filter { !$0.value.isZero }
        for move in state.moves.values where move.itemID == itemID && move.kind == .reserve && move.isOpen {
            let held = (state.reservations[move.id] ?? []).reduce(Fixed.zero) { $0 + $1.quantity }
            observation.orders[move.reference ?? "?", default: .zero] += held
        }
        for warehouse in catalog.warehouses.values where !warehouse.allowNegative {
            guard let root = catalog.locations[warehouse.rootLocationID] else { continue }
            let position = state.position(of: itemID, at: root)
            if position.available.isNegative {
                observation.problems.append("\(sku) at \(warehouse.code): available \(position.available) is negative")
            }
            if position.reserved > position.onHand {
                observation.problems.append(
                    "\(sku) at \(warehouse.code): \(position.reserved) reserved of \(position.onHand) on hand")
            }
        }
        return observation
    }

    /// Checks that the item changed exactly by `flows`; nil when it did.
    func compare(before: Observation, flows: [Flow], after: Observation) -> String? {
        var expected = before.cells
        var free: Flow?
        for flow in flows where flow.quantity.isPositive {
            guard let lot = flow.lot else {
                if free != nil { return "the model cannot check two flows of unnamed lots" }
                if flow.from != flow.to { free = flow }
                continue
            }
            if let from = flow.from { expected[Cell(lot: lot, place: from), default: .zero] -= flow.quantity }
            if let to = flow.to { expected[Cell(lot: lot, place: to), default: .zero] += flow.quantity }
        }
        expected = expected.filter { !$0.value.isZero }
        func totals(_ cells: [Cell: Fixed]) -> [String: Fixed] {
            var result: [String: Fixed] = [:]
            for (cell, quantity) in cells { result[cell.place, default: .zero] += quantity }
            return result.filter { !$0.value.isZero }
        }
        var expectedTotals = totals(expected)
        if let free {
            if let from = free.from { expectedTotals[from, default: .zero] -= free.quantity }
            if let to = free.to { expectedTotals[to, default: .zero] += free.quantity }
            expectedTotals = expectedTotals.filter { !$0.value.isZero }
        }
        let actualTotals = totals(after.cells)
        if actualTotals != expectedTotals {
            return
                "totals by place are \(actualTotals.sorted { $0.key < $1.key }), expected \(expectedTotals.sorted { $0.key < $1.key })"
        }
        let freePlaces = Set([free?.from, free?.to].compactMap { $0 })
        for cell in Set(expected.keys).union(after.cells.keys).sorted() where !freePlaces.contains(cell.place) {
            if (after.cells[cell] ?? .zero) != (expected[cell] ?? .zero) {
                return "\(cell) holds \(after.cells[cell] ?? .zero), expected \(expected[cell] ?? .zero)"
            }
        }
        if let free {
            let lots = Set(expected.keys.map(\.lot)).union(after.cells.keys.map(\.lot))
            for lot in lots.sorted() {
                let taken = free.from.map {
                    (after.cells[Cell(lot: lot, place: $0)] ?? .zero) - (expected[Cell(lot: lot, place: $0)] ?? .zero)
                }
                let given = free.to.map {
                    (after.cells[Cell(lot: lot, place: $0)] ?? .zero) - (expected[Cell(lot: lot, place: $0)] ?? .zero)
                }
                if let taken, taken.isPositive { return "lot \(lot) grew by \(taken) at \(free.from ?? "")" }
                if let given, given.isNegative { return "lot \(lot) shrank by \(given) at \(free.to ?? "")" }
                if let taken, let given, taken + given != .zero {
                    return "lot \(lot) left \(free.from ?? "") by \(-taken) but reached \(free.to ?? "") by \(given)"
                }
            }
        }
        return nil
    }

    /// Updates the order model from a posting and checks the reservations the store holds against it.
    func learnOrders(_ plan: Plan, result: PostingResult, after: Observation) -> String? {
        var expected: [String: Fixed] = [:]
        for (name, order) in orders where order.sku == plan.sku { expected[name] = order.reserved }
        if plan.mayTrim {
            for (name, reserved) in expected {
                guard let now = after.orders[name] else {
                    // A count may trim an order to nothing; its moves stay open, so it is still listed.
                    return "order \(name) disappeared after a count"
                }
                if now > reserved { return "order \(name) grew from \(reserved) to \(now) after a count" }
                if now < reserved {
                    orders[name]?.reserved = now
                    orders[name]?.trimmed = true
                }
            }
            expected = expected.mapValues { $0 }.merging(after.orders) { _, new in new }
        }
        if after.orders != expected {
            return
                "orders hold \(after.orders.sorted { $0.key < $1.key }), expected \(expected.sorted { $0.key < $1.key })"
        }
        return nil
    }

    func diff(_ before: Observation, _ after: Observation) -> String {
        var lines: [String] = []
        for cell in Set(before.cells.keys).union(after.cells.keys).sorted()
        where before.cells[cell] != after.cells[cell] {
            lines.append("\(cell): \(before.cells[cell] ?? .zero) -> \(after.cells[cell] ?? .zero)")
        }
        for cell in Set(before.reserved.keys).union(after.reserved.keys).sorted()
        where before.reserved[cell] != after.reserved[cell] {
            lines.append("reserved \(cell): \(before.reserved[cell] ?? .zero) -> \(after.reserved[cell] ?? .zero)")
        }
        if before.orders != after.orders { lines.append("orders \(before.orders) -> \(after.orders)") }
        if before.problems != after.problems { lines.append("problems \(after.problems)") }
        return lines.joined(separator: "; ")
    }

    /// The operation written as the API takes it and read by the documents' decoder is the same operation.
    func readBack(_ operation: StockOperation) throws -> String? {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let fields = try DocumentValue.parseJSON(bytes: Array(try operation.encodedFields(encoder)))
        let read = try StockOperation.decode(kind: operation.kind.rawValue, fields: fields, at: "")
        return read == operation ? nil : "\(describe(operation)) reads back as \(describe(read))"
    }

    func describe(_ operation: StockOperation) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = (try? encoder.encode(operation)).map { String(decoding: $0, as: UTF8.self) } ?? "\(operation)"
        return json
    }

    // MARK: Generating

    func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < probability }
    func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &rng)] }
    func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }

    /// A quantity of `sku`: whole units, or grams of FL (kept in kg); mostly up to `typical`, sometimes more.
    func quantity(_ sku: String, upTo typical: Fixed? = nil) -> Fixed {
        let step: Int64 = sku == "FL" ? 1_000 : Fixed.one
        let limit = typical.map { max(1, Int($0.micros / step)) }
        let steps: Int
        if sku == "FL" {
            steps = limit.map { int(1...$0) + (chance(0.1) ? int(1...3_000) : 0) } ?? int(1...6_000)
        } else {
            steps = limit.map { int(1...$0) + (chance(0.1) ? int(1...5) : 0) } ?? int(1...8)
        }
        return Fixed(micros: Int64(steps) * step)
    }

    func cost() -> Fixed {
        chance(0.2) ? Fixed(micros: Int64(int(1...99_999_999))) : Fixed(micros: Int64(int(1...5_000)) * 10_000)
    }

    func newSerials(_ count: Int) -> [String] {
        (0..<count).map { _ in
            serialCounter += 1
            return "S\(serialCounter)"
        }
    }

    /// Serials of ECU in stock and unreserved at `place`.
    func freeSerials(at place: String) -> [String] {
        let ecu = observed["ECU"] ?? Observation()
        return ecu.lots(at: place).filter { ecu.available($0, place) == Fixed(1) }
    }

    /// A lot name for OIL: mostly one in stock at `place`, else any of the pool.
    func lot(for sku: String, at place: String? = nil) -> String? {
        guard sku == "OIL" else { return nil }
        if let place, chance(0.8), let existing = observed["OIL"]?.lots(at: place), !existing.isEmpty {
            return pick(existing)
        }
        if let place, Self.negative.contains(place), avoided.contains("unknown-lot") {
            return knownLots.isEmpty ? nil : pick(knownLots.sorted())
        }
        return pick(Self.lotNames)
    }

    /// The model's lot key: "" when untracked, the name when named, nil when the ledger chooses.
    func lotKey(_ sku: String, _ lot: String?) -> String? {
        sku == "OIL" || sku == "ECU" ? lot : ""
    }

    /// The outcome an outgoing quantity must have where the model knows for sure: negative stock refused, and the
    /// lot named or the item untracked (or any lot, against the total).
    func outgoing(_ sku: String, _ quantity: Fixed, at warehouse: String, lot: String?, fromQC: Bool = false) -> Outcome
    {
        let state = observed[sku] ?? Observation()
        let place = fromQC ? "\(warehouse)/QC" : warehouse
        guard !Self.negative.contains(warehouse) || fromQC else { return .either(["insufficient_stock"]) }
        guard let key = lotKey(sku, lot) else {
            return quantity <= state.totalAvailable(at: place) ? .succeeds : .refused("insufficient_stock")
        }
        return quantity <= state.available(key, place) ? .succeeds : .refused("insufficient_stock")
    }

    func available(_ sku: String, at warehouse: String, lot: String?) -> Fixed {
        let state = observed[sku] ?? Observation()
        guard let key = lotKey(sku, lot) else { return state.totalAvailable(at: warehouse) }
        return state.available(key, warehouse)
    }

    /// A quantity to take out of `place`: mostly what is available, sometimes more.
    func outgoingQuantity(_ sku: String, at place: String, lot: String?) -> Fixed? {
        let free = available(sku, at: place, lot: lot)
        let quantity = quantity(sku, upTo: free)
        let state = observed[sku] ?? Observation()
        let reserved = state.reserved.filter { $0.key.place == place }.values.reduce(Fixed.zero, +)
        guard avoided.contains("negative-reserved"), Self.negative.contains(place), reserved.isPositive else {
            return quantity
        }
        let capped = min(quantity, max(free, .zero))
        return capped.isPositive ? capped : nil
    }

    func makePlan() -> Plan {
        while true {
            let kind: OperationKind
            switch int(0...99) {
            case 0..<18: kind = .receive
            case 18..<32: kind = .deliver
            case 32..<44: kind = .reserve
            case 44..<48: kind = .unreserve
            case 48..<54: kind = .ship
            case 54..<66: kind = .transfer
            case 66..<71: kind = .arrive
            case 71..<76: kind = .count
            case 76..<80: kind = .adjust
            case 80..<83: kind = .scrap
            case 83..<87: kind = .hold
            case 87..<90: kind = .release
            case 90..<92: kind = .reject
            case 92..<95: kind = .returnFromCustomer
            case 95..<97: kind = .landedCost
            default: kind = .returnToSupplier
            }
            guard !skipped.contains(kind.rawValue), let plan = makePlan(kind) else { continue }
            return plan
        }
    }

    func makePlan(_ kind: OperationKind) -> Plan? {
        let sku = pick(Self.skus)
        let warehouse = pick(Self.warehouses)
        switch kind {
        case .receive: return receive(sku, at: warehouse)
        case .deliver, .scrap: return remove(kind, sku, from: warehouse)
        case .reserve: return reserve(sku, at: warehouse)
        case .unreserve, .ship: return orderPlan(kind)
        case .transfer: return transfer(sku)
        case .arrive: return arrive()
        case .count: return count(sku, at: warehouse)
        case .adjust: return adjust(sku, at: warehouse)
        case .hold, .release, .reject: return quality(kind, sku, at: warehouse)
        case .returnFromCustomer: return customerReturn(sku, to: warehouse)
        case .returnToSupplier: return supplierReturn(sku, from: warehouse)
        case .landedCost: return landedCost()
        default: return nil
        }
    }

    func receive(_ sku: String, at warehouse: String) -> Plan {
        let hold = chance(0.1)
        let place = hold ? "\(warehouse)/QC" : warehouse
        if sku == "ECU" {
            var serials = newSerials(int(1...3))
            var outcome = Outcome.succeeds
            let inStock = Self.warehouses.flatMap { freeSerials(at: $0) }
            if chance(0.05), let duplicate = inStock.first {
                serials[0] = duplicate
                outcome = .refused("duplicate_serial")
            }
            let operation = StockOperation.receive(
                .init(
                    sku: sku, qty: Fixed(serials.count), at: warehouse,
                    unitCost: cost(), serials: serials, hold: hold))
            return Plan(
                sku: sku, operation: operation, outcome: outcome,
                flows: { _ in
                    serials.map { Flow(lot: $0, from: nil, to: place, quantity: Fixed(1)) }
                })
        }
        let quantity = quantity(sku)
        let lot = lot(for: sku)
        let expiry = lot.map { name in "2027-0\((Self.lotNames.firstIndex(of: name) ?? 0) + 1)-15" }
        let operation = StockOperation.receive(
            .init(
                sku: sku, qty: quantity, at: warehouse, unitCost: cost(), lot: lot,
                expiry: expiry, hold: hold))
        return Plan(
            sku: sku, operation: operation, outcome: .succeeds,
            flows: { _ in
                [Flow(lot: self.lotKey(sku, lot), from: nil, to: place, quantity: quantity)]
            },
            onPosted: { key, result in
                if !hold {
                    let short = (self.observed[sku] ?? Observation()).total(at: warehouse).isNegative
                    self.receipts.append(
                        DocumentModel(
                            key: key, sku: sku, warehouse: warehouse, quantity: result.quantity, lot: lot,
                            filledShortfall: short))
                }
                return nil
            })
    }

    /// Deliveries (sometimes against an order) and scrap.
    func remove(_ kind: OperationKind, _ sku: String, from warehouse: String) -> Plan? {
        if sku == "ECU" {
            var serials = freeSerials(at: warehouse)
            var outcome = Outcome.succeeds
            if serials.isEmpty || chance(0.05) {
                // A serial that is not here: refused where negative stock is.
                guard !Self.negative.contains(warehouse),
                    let elsewhere = Self.warehouses.filter({ $0 != warehouse }).flatMap({ freeSerials(at: $0) }).first
                else { return nil }
                serials = [elsewhere]
                outcome = .refused("insufficient_stock")
            } else {
                serials = Array(serials.shuffled(using: &rng).prefix(int(1...2)))
            }
            let quantity = Fixed(serials.count)
            let operation: StockOperation =
                kind == .deliver
                ? .deliver(.init(sku: sku, qty: quantity, from: warehouse, serials: serials))
                : .scrap(.init(sku: sku, qty: quantity, from: warehouse, serials: serials))
            return Plan(
                sku: sku, operation: operation, outcome: outcome,
                flows: { _ in
                    serials.map { Flow(lot: $0, from: warehouse, to: nil, quantity: Fixed(1)) }
                },
                onPosted: { key, result in
                    if kind == .deliver {
                        self.serialsAtCustomer.formUnion(serials)
                        self.deliveries.append(
                            DocumentModel(key: key, sku: sku, warehouse: warehouse, quantity: result.quantity))
                    }
                    return nil
                })
        }
        let lot = chance(0.85) ? lot(for: sku, at: warehouse) : nil
        if kind == .deliver, chance(0.25),
            let (name, order) = orders.filter({
                $0.value.sku == sku && $0.value.warehouse == warehouse && !$0.value.trimmed
            })
            .sorted(by: { $0.key < $1.key }).first
        {
            var quantity = quantity(sku, upTo: order.reserved)
            if avoided.contains("negative-reserved"), Self.negative.contains(warehouse) {
                quantity = min(quantity, order.reserved + max(available(sku, at: warehouse, lot: nil), .zero))
            }
            let fromOrder = min(quantity, order.reserved)
            let rest = quantity - fromOrder
            let operation = StockOperation.deliver(.init(sku: sku, qty: quantity, from: warehouse, order: name))
            var outcome = Outcome.succeeds
            if rest.isPositive {
                if sku == "OIL" || Self.negative.contains(warehouse) {
                    outcome = .either(["insufficient_stock"])
                } else {
                    outcome =
                        rest <= available(sku, at: warehouse, lot: nil) ? .succeeds : .refused("insufficient_stock")
                }
            }
            let restLot = lotKey(sku, nil)
            return Plan(
                sku: sku, operation: operation, outcome: outcome,
                flows: { _ in
                    if order.lot == nil || (restLot == nil && rest.isPositive) {
                        return [Flow(lot: nil, from: warehouse, to: nil, quantity: quantity)]
                    }
                    return [
                        Flow(lot: order.lot, from: warehouse, to: nil, quantity: fromOrder),
                        Flow(lot: restLot, from: warehouse, to: nil, quantity: rest),
                    ]
                },
                onPosted: { key, result in
                    self.orders[name]?.reserved -= fromOrder
                    if self.orders[name]?.reserved.isZero == true { self.orders[name] = nil }
                    self.deliveries.append(
                        DocumentModel(
                            key: key, sku: sku, warehouse: warehouse, quantity: result.quantity,
                            lot: order.lot, viaOrder: true))
                    return result.quantity == quantity ? nil : "delivered \(result.quantity), not \(quantity)"
                })
        }
        guard let quantity = outgoingQuantity(sku, at: warehouse, lot: lot) else { return nil }
        let operation: StockOperation =
            kind == .deliver
            ? .deliver(.init(sku: sku, qty: quantity, from: warehouse, lot: lot))
            : .scrap(.init(sku: sku, qty: quantity, from: warehouse, lot: lot))
        return Plan(
            sku: sku, operation: operation, outcome: outgoing(sku, quantity, at: warehouse, lot: lot),
            flows: { _ in
                [Flow(lot: self.lotKey(sku, lot), from: warehouse, to: nil, quantity: quantity)]
            },
            onPosted: { key, result in
                if kind == .deliver {
                    self.deliveries.append(
                        DocumentModel(key: key, sku: sku, warehouse: warehouse, quantity: result.quantity, lot: lot))
                }
                return result.quantity == quantity ? nil : "moved \(result.quantity), not \(quantity)"
            })
    }

    func reserve(_ sku: String, at warehouse: String) -> Plan? {
        orderCounter += 1
        let name = "SO\(orderCounter)"
        var lot: String?
        var quantity: Fixed
        if sku == "ECU" {
            guard let serial = freeSerials(at: warehouse).first else { return nil }
            lot = serial
            quantity = Fixed(1)
        } else {
            lot = sku == "OIL" && chance(0.7) ? self.lot(for: sku, at: warehouse) : nil
            quantity = self.quantity(sku, upTo: available(sku, at: warehouse, lot: lot))
        }
        let operation = StockOperation.reserve(.init(sku: sku, qty: quantity, at: warehouse, order: name, lot: lot))
        // Reservations never go below zero, not even where negative stock is allowed.
        var outcome = outgoing(sku, quantity, at: warehouse, lot: lot)
        if Self.negative.contains(warehouse), let key = lotKey(sku, lot) {
            let state = observed[sku] ?? Observation()
            let free = max(state.quantity(key, warehouse), .zero) - state.reservedQuantity(key, warehouse)
            outcome = quantity <= free ? .succeeds : .refused("insufficient_stock")
        }
        let key = lotKey(sku, lot)
        return Plan(
            sku: sku, operation: operation, outcome: outcome, flows: { _ in [] },
            onPosted: { _, result in
                self.orders[name] = OrderModel(sku: sku, warehouse: warehouse, lot: key, reserved: quantity)
                return result.quantity == quantity ? nil : "reserved \(result.quantity), not \(quantity)"
            })
    }

    func orderPlan(_ kind: OperationKind) -> Plan? {
        let open = orders.sorted { $0.key < $1.key }
        if open.isEmpty || chance(0.04) {
            let sku = pick(Self.skus)
            let reference = StockOperation.OrderRef(order: "NO-SUCH-\(int(1...1_000))")
            return Plan(
                sku: sku, operation: kind == .ship ? .ship(reference) : .unreserve(reference),
                outcome: .refused("unknown_order"), flows: { _ in [] })
        }
        let (name, order) = pick(open)
        let reference = StockOperation.OrderRef(order: name)
        if kind == .unreserve {
            return Plan(
                sku: order.sku, operation: .unreserve(reference), outcome: .succeeds, flows: { _ in [] },
                onPosted: { _, result in
                    self.orders[name] = nil
                    return order.trimmed || result.quantity == order.reserved
                        ? nil : "released \(result.quantity), the order held \(order.reserved)"
                })
        }
        return Plan(
            sku: order.sku, operation: .ship(reference),
            outcome: order.trimmed ? .either(["invalid_state", "insufficient_stock"]) : .succeeds,
            flows: { result in [Flow(lot: order.lot, from: order.warehouse, to: nil, quantity: result.quantity)] },
            onPosted: { key, result in
                self.deliveries.append(
                    DocumentModel(
                        key: key, sku: order.sku, warehouse: order.warehouse,
                        quantity: result.quantity, lot: order.lot, viaOrder: true))
                if order.trimmed {
                    // What a count left reserved ships; the rest of the order stays open, holding nothing.
                    self.orders[name]?.reserved = .zero
                } else {
                    self.orders[name] = nil
                    if result.quantity != order.reserved {
                        return "shipped \(result.quantity), the order held \(order.reserved)"
                    }
                }
                return nil
            })
    }

    func transfer(_ sku: String) -> Plan? {
        // Inside ACME (FIFO), or inside BETA (average cost); now and then across the two: a sale and a purchase,
        // at a transfer price or at cost, refused when asked to wait in transit.
        let company = chance(0.75) ? ["WH1", "WH2", "NEG"] : ["B1", "B2"]
        var from = pick(company)
        var to = pick(company)
        var fromPlace = from, toPlace = to
        var transit = false
        var outcome: Outcome?
        var price: Fixed?
        if chance(0.03) {
            to = from.hasPrefix("B") ? "WH1" : "B1"
            toPlace = to
            if chance(0.5) {
                outcome = .refused("invalid_state")
            } else {
                price = chance(0.5) ? Fixed(12) : nil
            }
        } else if from == to {
            guard from == "WH2" else { return nil }
            if chance(0.5) { to = "WH2/STOCK/BIN" } else { from = "WH2/STOCK/BIN" }
            fromPlace = "WH2"
            toPlace = "WH2"
        } else {
            transit = chance(0.5)
            if transit { toPlace = "Transit/\(to)" }
        }
        var lot: String?
        var serials: [String]?
        var quantity: Fixed
        if sku == "ECU" {
            guard let serial = freeSerials(at: fromPlace).first else { return nil }
            serials = [serial]
            lot = serial
            quantity = Fixed(1)
        } else {
            lot = chance(0.8) ? self.lot(for: sku, at: fromPlace) : nil
            guard let some = outgoingQuantity(sku, at: fromPlace, lot: lot) else { return nil }
            quantity = some
        }
        let outcomeToExpect =
            outcome
            ?? (from.contains("/")
                ? .either(["insufficient_stock"])
                : outgoing(sku, quantity, at: from, lot: lot))
        let operation = StockOperation.transfer(
            .init(
                sku: sku, qty: quantity, from: from, to: to,
                lot: sku == "ECU" ? nil : lot, serials: serials,
                transit: outcome != nil || transit ? true : nil, transferPrice: price))
        let key = lotKey(sku, lot)
        return Plan(
            sku: sku, operation: operation, outcome: outcomeToExpect,
            flows: { _ in
                [Flow(lot: key, from: fromPlace, to: toPlace, quantity: quantity)]
            },
            onPosted: { postingKey, result in
                if transit {
                    self.shipments[postingKey] = ShipmentModel(
                        key: postingKey, sku: sku, to: to, lot: key, remaining: quantity)
                }
                return result.quantity == quantity ? nil : "moved \(result.quantity), not \(quantity)"
            })
    }

    func arrive() -> Plan? {
        let open = shipments.values.filter { $0.remaining.isPositive }.sorted { $0.key < $1.key }
        let done = shipments.values.filter { $0.remaining.isZero }.sorted { $0.key < $1.key }
        if let shipment = done.first, chance(0.05) || open.isEmpty {
            return Plan(
                sku: shipment.sku, operation: .arrive(.init(transfer: shipment.key, qty: chance(0.5) ? Fixed(1) : nil)),
                outcome: .refused("invalid_state"), flows: { _ in [] })
        }
        guard !open.isEmpty else { return nil }
        let shipment = pick(open)
        var quantity: Fixed?
        var outcome = Outcome.succeeds
        switch int(0...9) {
        case 0..<5: quantity = nil
        case 5..<9: quantity = self.quantity(shipment.sku, upTo: shipment.remaining)
        default: quantity = shipment.remaining + (shipment.sku == "FL" ? Fixed(micros: 1_000) : Fixed(1))
        }
        if let quantity, quantity > shipment.remaining { outcome = .refused("invalid_state") }
        let arriving = quantity ?? shipment.remaining
        return Plan(
            sku: shipment.sku, operation: .arrive(.init(transfer: shipment.key, qty: quantity)), outcome: outcome,
            flows: { result in
                [Flow(lot: shipment.lot, from: "Transit/\(shipment.to)", to: shipment.to, quantity: result.quantity)]
            },
            onPosted: { _, result in
                self.shipments[shipment.key]?.remaining -= result.quantity
                return result.quantity == arriving ? nil : "arrived \(result.quantity), not \(arriving)"
            })
    }

    func count(_ sku: String, at warehouse: String) -> Plan? {
        guard sku != "ECU" else { return nil }
        let lot = sku == "OIL" ? (self.lot(for: sku, at: warehouse) ?? pick(Self.lotNames)) : nil
        let key = lotKey(sku, lot) ?? ""
        let current = (observed[sku] ?? Observation()).quantity(key, warehouse)
        let change = chance(0.5) ? quantity(sku) : -quantity(sku)
        let counted = chance(0.1) ? .zero : max(.zero, current + change)
        if avoided.contains("count-reserved") {
            // A count picks reserved quants as readily as free ones, so any reservation here may be trimmed.
            guard !(observed[sku] ?? Observation()).reserved.contains(where: { $0.key.place == warehouse }) else {
                return nil
            }
        }
        let difference = counted - current
        let operation = StockOperation.count(.init(sku: sku, at: warehouse, counted: counted, lot: lot))
        return Plan(
            sku: sku, operation: operation, outcome: .succeeds,
            flows: { _ in
                difference.isPositive
                    ? [Flow(lot: key, from: nil, to: warehouse, quantity: difference)]
                    : [Flow(lot: key, from: warehouse, to: nil, quantity: -difference)]
            }, mayTrim: true)
    }

    func adjust(_ sku: String, at warehouse: String) -> Plan? {
        let up = chance(0.5)
        if sku == "ECU" {
            let serials = up ? newSerials(1) : Array(freeSerials(at: warehouse).prefix(1))
            guard !serials.isEmpty else { return nil }
            let operation = StockOperation.adjust(
                .init(
                    sku: sku, at: warehouse, qty: up ? Fixed(1) : Fixed(-1),
                    reason: "property test", serials: serials))
            return Plan(
                sku: sku, operation: operation, outcome: .succeeds,
                flows: { _ in
                    [Flow(lot: serials[0], from: up ? nil : warehouse, to: up ? warehouse : nil, quantity: Fixed(1))]
                })
        }
        let lot = sku == "OIL" ? (up ? self.lot(for: sku) : self.lot(for: sku, at: warehouse)) : nil
        if sku == "OIL" && lot == nil { return nil }
        guard let quantity = up ? quantity(sku) : outgoingQuantity(sku, at: warehouse, lot: lot) else { return nil }
        let operation = StockOperation.adjust(
            .init(
                sku: sku, at: warehouse, qty: up ? quantity : -quantity,
                reason: "property test", lot: lot))
        let key = lotKey(sku, lot)
        return Plan(
            sku: sku, operation: operation, outcome: up ? .succeeds : outgoing(sku, quantity, at: warehouse, lot: lot),
            flows: { _ in [Flow(lot: key, from: up ? nil : warehouse, to: up ? warehouse : nil, quantity: quantity)] })
    }

    func quality(_ kind: OperationKind, _ sku: String, at warehouse: String) -> Plan? {
        let qc = "\(warehouse)/QC"
        let source = kind == .hold ? warehouse : qc
        var lot: String?
        var serials: [String]?
        var quantity: Fixed
        if sku == "ECU" {
            let candidates =
                kind == .hold ? freeSerials(at: warehouse) : (observed["ECU"] ?? Observation()).lots(at: qc)
            guard let serial = candidates.first else { return nil }
            serials = [serial]
            lot = serial
            quantity = Fixed(1)
        } else {
            lot = chance(0.8) ? self.lot(for: sku, at: source) : nil
            let state = observed[sku] ?? Observation()
            let there =
                kind == .hold
                ? available(sku, at: warehouse, lot: lot)
                : (lotKey(sku, lot).map { state.quantity($0, qc) } ?? state.total(at: qc))
            quantity = self.quantity(sku, upTo: there)
        }
        let reference = StockOperation.Quality(
            sku: sku, qty: quantity, at: warehouse, lot: sku == "ECU" ? nil : lot,
            serials: serials)
        let operation: StockOperation =
            switch kind {
            case .hold: .hold(reference)
            case .release: .release(reference)
            default: .reject(reference)
            }
        let outcome: Outcome
        if kind == .hold && Self.negative.contains(warehouse) {
            let state = observed[sku] ?? Observation()
            let free = lotKey(sku, lot).map {
                max(state.quantity($0, warehouse), .zero) - state.reservedQuantity($0, warehouse)
            }
            outcome =
                free.map { quantity <= $0 ? .succeeds : .refused("insufficient_stock") }
                ?? .either(["insufficient_stock"])
        } else {
            outcome = outgoing(sku, quantity, at: warehouse, lot: lot, fromQC: kind != .hold)
        }
        let key = lotKey(sku, lot)
        return Plan(
            sku: sku, operation: operation, outcome: outcome,
            flows: { _ in
                switch kind {
                case .hold: [Flow(lot: key, from: warehouse, to: qc, quantity: quantity)]
                case .release: [Flow(lot: key, from: qc, to: warehouse, quantity: quantity)]
                default: [Flow(lot: key, from: qc, to: nil, quantity: quantity)]
                }
            })
    }

    func customerReturn(_ sku: String, to warehouse: String) -> Plan? {
        if sku == "ECU" {
            var outcome = Outcome.succeeds
            var serial = serialsAtCustomer.sorted().first
            if chance(0.05) || serial == nil {
                serial = Self.warehouses.flatMap { freeSerials(at: $0) }.first
                outcome = .refused("duplicate_serial")
            }
            guard let serial else { return nil }
            let operation = StockOperation.returnFromCustomer(
                .init(sku: sku, qty: Fixed(1), to: warehouse, serials: [serial]))
            return Plan(
                sku: sku, operation: operation, outcome: outcome,
                flows: { _ in
                    [Flow(lot: serial, from: nil, to: warehouse, quantity: Fixed(1))]
                },
                onPosted: { _, _ in
                    self.serialsAtCustomer.remove(serial)
                    return nil
                })
        }
        let candidates = deliveries.indices.filter { index in
            deliveries[index].sku == sku && deliveries[index].returned < deliveries[index].quantity
                && !(deliveries[index].viaOrder && avoided.contains("return-of-order"))
        }
        if chance(0.6), let index = candidates.isEmpty ? nil : pick(candidates) {
            let delivery = deliveries[index]
            let returnable = delivery.quantity - delivery.returned
            var quantity = self.quantity(sku, upTo: returnable)
            if chance(0.1) { quantity = returnable + (sku == "FL" ? Fixed(micros: 1_000) : Fixed(1)) }
            let lot = sku == "OIL" ? (delivery.lot ?? pick(Self.lotNames)) : nil
            let operation = StockOperation.returnFromCustomer(
                .init(
                    sku: sku, qty: quantity, to: delivery.warehouse,
                    of: delivery.key, lot: lot))
            let key = lotKey(sku, lot)
            return Plan(
                sku: sku, operation: operation, outcome: quantity <= returnable ? .succeeds : .refused("invalid_state"),
                flows: { _ in [Flow(lot: key, from: nil, to: delivery.warehouse, quantity: quantity)] },
                onPosted: { _, _ in
                    self.deliveries[index].returned += quantity
                    return nil
                })
        }
        let lot = sku == "OIL" ? pick(Self.lotNames) : nil
        let quantity = quantity(sku)
        let operation = StockOperation.returnFromCustomer(.init(sku: sku, qty: quantity, to: warehouse, lot: lot))
        let key = lotKey(sku, lot)
        return Plan(
            sku: sku, operation: operation, outcome: .succeeds,
            flows: { _ in
                [Flow(lot: key, from: nil, to: warehouse, quantity: quantity)]
            })
    }

    func supplierReturn(_ sku: String, from warehouse: String) -> Plan? {
        guard sku != "ECU" else { return nil }
        let candidates = receipts.indices.filter {
            receipts[$0].sku == sku && receipts[$0].returned < receipts[$0].quantity
        }
        var of: Int?
        var source = warehouse
        var lot = chance(0.8) ? self.lot(for: sku, at: warehouse) : nil
        if chance(0.5), let index = candidates.isEmpty ? nil : pick(candidates) {
            of = index
            source = receipts[index].warehouse
            lot = receipts[index].lot
        }
        let returnable = of.map { receipts[$0].quantity - receipts[$0].returned }
        guard var quantity = outgoingQuantity(sku, at: source, lot: lot) else { return nil }
        if let returnable, quantity > returnable { quantity = self.quantity(sku, upTo: returnable) }
        if let returnable, chance(0.1) { quantity = returnable + (sku == "FL" ? Fixed(micros: 1_000) : Fixed(1)) }
        let operation = StockOperation.returnToSupplier(
            .init(
                sku: sku, qty: quantity, from: source,
                of: of.map { receipts[$0].key }, lot: lot))
        var outcome = outgoing(sku, quantity, at: source, lot: lot)
        if let returnable, quantity > returnable { outcome = .refused("invalid_state") }
        let key = lotKey(sku, lot)
        return Plan(
            sku: sku, operation: operation, outcome: outcome,
            flows: { _ in
                [Flow(lot: key, from: source, to: nil, quantity: quantity)]
            },
            onPosted: { _, _ in
                if let of { self.receipts[of].returned += quantity }
                return nil
            })
    }
    /// Freight on one or two receipts of a company, often ones that went to a warehouse allowing negative stock, so
    /// part of the receipt filled a shortfall: each share lands on stock or on the postings that took the units.
    func landedCost() -> Plan? {
        let filling = receipts.filter { Self.negative.contains($0.warehouse) }
        guard
            let first = chance(0.7) && !filling.isEmpty
                ? filling.randomElement(using: &rng) : receipts.randomElement(using: &rng)
        else { return nil }
        let company = Self.companies[first.warehouse]
        var chosen = [first]
        let others = receipts.filter { Self.companies[$0.warehouse] == company && $0.key != first.key }
        if chance(0.3), let other = others.randomElement(using: &rng) { chosen.append(other) }
        let amount = Fixed(micros: Int64(int(1...500_000)) * 10_000)
        let split = pick([StockOperation.LandedCost.Split.equal, .byQuantity])
        let operation = StockOperation.landedCost(.init(receipts: chosen.map(\.key), amount: amount, split: split))
        return Plan(
            sku: first.sku, operation: operation, outcome: .succeeds, flows: { _ in [] },
            onPosted: { _, _ in
                if chosen.contains(where: \.filledShortfall) { self.landedOnFilledShortfalls += 1 }
                return nil
            })
    }
}
