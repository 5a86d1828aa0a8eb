import Foundation
import PropertyBased
import Stockline
import StocklineCore
import StocklineTestSupport
import Testing

/// Random purchase, sales and production orders, receipts, ASNs, allocations, shipments, closings and plain postings
/// against a model of what each order line should hold; after every step the ledger verifies, the cached books
/// match the store, and every line adds up: ordered = done + open + cancelled, with what the model expects.
///
/// `STOCKLINE_ORDER_SEED` (as printed, or `random`) and `STOCKLINE_ORDER_STEPS` (default 600) replay or extend a run.
@Suite("orders under random operations", .serialized)
struct OrderPropertyTests {
    @Test("random orders, receipts, shipments and postings keep verify clean and every order's quantities consistent")
    func randomOrdersStayConsistent() async throws {
        let environment = ProcessInfo.processInfo.environment
        let rng =
            switch environment["STOCKLINE_ORDER_SEED"] {
            case "random": Xoshiro()
            case let seed?: try #require(Xoshiro(seed: seed), "STOCKLINE_ORDER_SEED \(seed) is not a seed")
            case nil: Xoshiro(seed: (0x4F72_6465_7273, 0x2061_6E64, 0x2070_726F_6D69, 0x7365_0001))
            }
        let seed = rng.currentSeed
        let steps = environment["STOCKLINE_ORDER_STEPS"].flatMap(Int.init) ?? 600
        print("order property test: seed \(seed), \(steps) steps (STOCKLINE_ORDER_SEED=\(seed) to replay)")
        try await withTemporaryLedger { ledger in
            let driver = try await OrderDriver(inventory: ledger.inventory, clock: ledger.clock, rng: rng)
            for step in 1...steps {
                try await driver.step(step)
                // Only what a step names (all sales orders for an allocation) can change; every 50 steps and at the
                // end, all orders are read again to show that.
                let problems = try await driver.check(all: step % 50 == 0 || step == steps)
                guard problems.isEmpty else {
                    Issue.record(
                        """
                        after step \(step): \(problems.joined(separator: "; "))
                        seed: \(seed) (STOCKLINE_ORDER_SEED=\(seed) STOCKLINE_ORDER_STEPS=\(step))
                        last steps:
                        \(driver.log.suffix(8).joined(separator: "\n"))
                        """)
                    return
                }
            }
            print("order property test: \(driver.statistics)")
            #expect(driver.posted > steps / 3, "only \(driver.posted) of \(steps) operations were posted")
            for kind in [
                "purchase_order", "receive_po", "sales_order", "allocate", "ship", "production_order", "produce",
            ] {
                #expect((driver.counts[kind] ?? 0) > 0, "no \(kind) was posted")
            }
        }
    }
}

/// The model of one order line: what was ordered, done and cancelled, as the accepted operations say.
private struct LineModel {
    var ordered: Fixed
    var done = Fixed.zero
    var cancelled = Fixed.zero
}

private final class OrderDriver {
    let inventory: Inventory
    let clock: FixedClock
    var rng: Xoshiro
    let skus = ["A", "B", "C"]
    let warehouses = ["WH1", "WH2"]
    /// Order id → kind, warehouse and line models by SKU (a production order's output only).
    var orders: [String: (kind: Order.Kind, warehouse: String, lines: [String: LineModel])] = [:]
    var log: [String] = []
    var posted = 0
    var counts: [String: Int] = [:]
    /// Whether a shipment moved other than what its order recorded.
    var shipMismatch = false
    /// The orders the last step could change.
    var touched = Set<String>()
    private var next = 0

    init(inventory: Inventory, clock: FixedClock, rng: Xoshiro) async throws {
        self.inventory = inventory
        self.clock = clock
        self.rng = rng
        try await inventory.addCompany(code: "ACME")
        for code in warehouses { try await inventory.addWarehouse(code: code) }
        try await inventory.addPartner(code: "SUP", role: .supplier, leadDays: 3)
        try await inventory.addPartner(code: "CUS", role: .customer)
        let unit = try #require(UnitOfMeasure.builtIn["unit"])
        for sku in skus + ["KIT"] {
            try await inventory.addItem(
                Item(
                    id: ItemID(0), sku: sku, unit: unit,
                    suppliers: [Item.Supplier(code: "SUP", price: Fixed(sku.count * 5))]))
        }
        try await inventory.setBill(sku: "KIT", components: [("A", Fixed(2)), ("B", Fixed(1))])
    }

    var statistics: String { "\(posted) posted; \(counts.sorted { $0.key < $1.key })" }

    func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    func pick<T>(_ values: [T]) -> T { values[int(0...(values.count - 1))] }
    func open(_ kind: Order.Kind) -> [String] { orders.filter { $0.value.kind == kind }.map(\.key).sorted() }

    func step(_ number: Int) async throws {
        if int(0...9) == 0 { clock.advance(by: 86_400) } else { clock.advance() }
        next += 1
        let key = "k\(next)"
        let (label, operation) = choose()
        touched = Set(operation.stateRequest.orders + [key])
        if case .allocate = operation { touched.formUnion(open(.sales)) }
        let outcome = try await inventory.attempt(operation, key: key, actor: "property")
        log.append("\(number) \(label) \(key): \(operation) → \(outcome)")
        guard case .success(let result) = outcome else { return }
        posted += 1
        counts[label, default: 0] += 1
        try await apply(operation, key: key, result: result)
    }

    /// Keeps the model in step with an accepted operation, from what the order now says only where the model
    /// cannot know (what a shipment or an allocation took from free stock).
    func apply(_ operation: StockOperation, key: String, result: PostingResult) async throws {
        switch operation {
        case .purchaseOrder(let op):
            orders[key] = (
                .purchase, op.at,
                Dictionary(uniqueKeysWithValues: op.lines.map { ($0.sku, LineModel(ordered: $0.qty)) })
            )
        case .salesOrder(let op):
            orders[key] = (
                .sales, op.at, Dictionary(uniqueKeysWithValues: op.lines.map { ($0.sku, LineModel(ordered: $0.qty)) })
            )
        case .productionOrder(let op):
            orders[key] = (.production, op.at, [op.sku: LineModel(ordered: op.qty)])
        case .receiveOrder(let op):
            for line in op.lines { orders[op.po]?.lines[line.sku]?.done += line.qty }
        case .produceOrder(let op):
            guard var line = orders[op.order]?.lines["KIT"] else { return }
            line.done += op.qty ?? (line.ordered - line.done - line.cancelled)
            orders[op.order]?.lines["KIT"] = line
        case .ship(let op):
            // Which line a shipment served depends on what was reserved; the order's shipped quantities must have
            // grown by exactly what the posting moved.
            let view = try await inventory.order(id: op.order)
            var grown = Fixed.zero
            for line in view.lines {
                grown += (line.shipped ?? .zero) - (orders[op.order]?.lines[line.sku]?.done ?? .zero)
                orders[op.order]?.lines[line.sku]?.done = line.shipped ?? .zero
            }
            if grown != result.quantity { log.append("ship \(key) moved \(result.quantity), the order grew \(grown)") }
            shipMismatch = shipMismatch || grown != result.quantity
        case .close(let op):
            guard let model = orders[op.order] else { return }
            for (sku, line) in model.lines {
                orders[op.order]?.lines[sku]?.cancelled = line.ordered - line.done
            }
        default:
            break
        }
    }

    func choose() -> (String, StockOperation) {
        let sku = pick(skus)
        let warehouse = pick(warehouses)
        let qty = Fixed(int(1...12))
        switch int(0...13) {
        case 0, 1:
            let lines = Array(skus.shuffled(using: &rng).prefix(int(1...3))).map {
                StockOperation.PurchaseLine(sku: $0, qty: Fixed(int(1...30)))
            }
            return ("purchase_order", .purchaseOrder(.init(supplier: "SUP", at: warehouse, lines: lines)))
        case 2, 3:
            guard let po = open(.purchase).randomElement(using: &rng), let order = orders[po] else { break }
            let line = pick(order.lines.keys.sorted())
            // Sometimes more than is open, to be refused.
            return ("receive_po", .receiveOrder(.init(po: po, lines: [.init(sku: line, qty: Fixed(int(1...20)))])))
        case 4:
            guard let po = open(.purchase).randomElement(using: &rng), let order = orders[po] else { break }
            let day = Day.text(Day.adding(int(0...10), to: clock.now()))
            return (
                "asn",
                .asn(.init(po: po, expected: day, lines: [.init(sku: pick(order.lines.keys.sorted()), qty: qty)]))
            )
        case 5, 6:
            let lines = Array(skus.shuffled(using: &rng).prefix(int(1...2))).map {
                StockOperation.OrderQuantity(sku: $0, qty: Fixed(int(1...10)))
            }
            let requested = Day.text(Day.adding(int(0...6), to: clock.now()))
            return (
                "sales_order",
                .salesOrder(.init(customer: "CUS", at: warehouse, lines: lines, requested: requested))
            )
        case 7:
            return (
                "allocate", .allocate(.init(at: int(0...1) == 0 ? warehouse : nil, sku: int(0...1) == 0 ? sku : nil))
            )
        case 8:
            guard let so = open(.sales).randomElement(using: &rng) else { break }
            return ("ship", .ship(.init(order: so)))
        case 9:
            guard let order = orders.keys.sorted().randomElement(using: &rng) else { break }
            return ("close", .close(.init(order: order)))
        case 10:
            return ("production_order", .productionOrder(.init(sku: "KIT", qty: Fixed(int(1...5)), at: warehouse)))
        case 11:
            guard let mo = open(.production).randomElement(using: &rng) else { break }
            return ("produce", .produceOrder(.init(order: mo, qty: int(0...2) == 0 ? nil : Fixed(int(1...3)))))
        case 12:
            guard let so = open(.sales).randomElement(using: &rng) else { break }
            return ("unreserve", .unreserve(.init(order: so)))
        default:
            break
        }
        switch int(0...2) {
        case 0:
            return (
                "deliver", .deliver(.init(sku: sku, qty: qty, from: warehouse))
            )
        case 1:
            return (
                "transfer",
                .transfer(.init(sku: sku, qty: qty, from: warehouse, to: warehouse == "WH1" ? "WH2" : "WH1"))
            )
        default:
            return ("receive", .receive(.init(sku: sku, qty: qty, at: warehouse, unitCost: Fixed(int(1...9)))))
        }
    }

    /// Every order line adds up and matches the model; the ledger verifies; no cached book drifted; nothing is
    /// reserved beyond what is on hand.
    func check(all: Bool) async throws -> [String] {
        var problems: [String] = shipMismatch ? ["a shipment and its order disagree"] : []
        for (id, model) in orders.sorted(by: { $0.key < $1.key }) where all || touched.contains(id) {
            let view = try await inventory.order(id: id)
            for (sku, expected) in model.lines {
                guard let line = view.lines.first(where: { $0.sku == sku && $0.required == nil }) else {
                    problems.append("\(id) has no line \(sku)")
                    continue
                }
                let done = line.received ?? line.shipped ?? line.produced ?? .zero
                if line.ordered != done + line.open + line.cancelled {
                    problems.append(
                        "\(id) \(sku): ordered \(line.ordered) ≠ \(done) done + \(line.open) open + \(line.cancelled) cancelled"
                    )
                }
                if line.ordered != expected.ordered || done != expected.done || line.cancelled != expected.cancelled {
                    problems.append("\(id) \(sku): \(line.ordered)/\(done)/\(line.cancelled), model \(expected)")
                }
                if let reserved = line.reserved, let backorder = line.backorder,
                    reserved + backorder != line.open || backorder.isNegative
                {
                    problems.append("\(id) \(sku): reserved \(reserved) + backorder \(backorder) ≠ open \(line.open)")
                }
            }
            for component in view.lines where component.required != nil {
                if (component.reserved ?? .zero) + (component.shortfall ?? .zero) != component.required {
                    problems.append("\(id) component \(component.sku) does not add up")
                }
            }
        }
        for sku in skus + ["KIT"] {
            for warehouse in warehouses {
                let position = try await inventory.position(sku: sku, at: warehouse)
                if position.available.isNegative {
                    problems.append("\(sku) at \(warehouse) is oversold: \(position)")
                }
            }
        }
        problems += try await inventory.verify().map { "verify: \($0)" }
        problems += try await inventory.bookCacheDrift().map { "cache drift: \($0.prefix(300))" }
        return problems
    }
}
