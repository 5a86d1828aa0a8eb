import Foundation
import Stockline
import StocklineCore

/// `promise` and `po.receive`: answering a promise on an item with many open orders, and receiving against
/// purchase orders from concurrent callers.
enum OrderSuites {
    static let documents = 1_000
    static let promises = 300

    /// `promise`: 1,000 open orders on one item at one warehouse (half purchase orders over the next 100 days, half
    /// backordered sales orders), then promises of varying quantities.
    static func promise(_ context: BenchContext) async throws -> [BenchResult] {
        try await context.store.withLedger { ledger in
            let inventory = ledger.inventory
            try await world(inventory)
            let now = Date()
            var requests: [PostingRequest] = []
            for index in 0..<documents {
                let day = Day.text(Day.adding(index % 100 + 1, to: now))
                let operation: StockOperation =
                    index.isMultiple(of: 2)
                    ? .purchaseOrder(
                        .init(
                            supplier: "SUP", at: "WH1", lines: [.init(sku: "ATP-ORD", qty: Fixed(10), expected: day)]))
                    : .salesOrder(
                        .init(
                            customer: "CUS", at: "WH1", lines: [.init(sku: "ATP-ORD", qty: Fixed(7))], requested: day))
                requests.append(
                    PostingRequest(key: "doc-\(index)", operation: operation, actor: "bench", source: "bench", now: now)
                )
            }
            for start in stride(from: 0, to: requests.count, by: Inventory.maximumBatch) {
                let chunk = Array(requests[start..<min(start + Inventory.maximumBatch, requests.count)])
                for result in try await inventory.postBatch(chunk) { _ = try result.get() }
            }
            context.progress("promise: ATP-ORD has \(documents) open orders at WH1")
            var latency = LatencyRecorder()
            var answered = 0
            for index in 0..<promises {
                let (date, _) = try await latency.measure {
                    try await inventory.promise(sku: "ATP-ORD", quantity: Fixed(index % 400 + 1), at: "WH1")
                }
                if date != nil { answered += 1 }
            }
            return [
                BenchResult(
                    name: "promise", value: latency.percentile(99) ?? 0, unit: "ms p99",
                    p50: latency.percentile(50), p99: latency.percentile(99),
                    note: "\(promises) promises on an item with \(documents) open orders (\(answered) found a date)")
            ]
        }
    }

    /// `po.receive`: ``BenchSizes/callers`` callers, each receiving one unit at a time against its own purchase-order
    /// line, every receipt a durable posting that also changes its order.
    static func receive(_ context: BenchContext) async throws -> [BenchResult] {
        let callers = context.sizes.callers
        let perCaller = max(4, context.sizes.singlePostings / callers / 2)
        return try await context.store.withLedger { ledger in
            let inventory = ledger.inventory
            try await world(inventory)
            for caller in 0..<callers {
                try await inventory.post(
                    .purchaseOrder(
                        .init(
                            supplier: "SUP", at: "WH1",
                            lines: [.init(sku: "PO-\(caller % 50)", qty: Fixed(perCaller * 10))])),
                    key: "po-\(caller)")
            }
            let (elapsed, latency) = try await concurrently(callers: callers) { caller in
                var recorder = LatencyRecorder()
                for round in 0..<perCaller {
                    let operation = StockOperation.receiveOrder(
                        .init(po: "po-\(caller)", lines: [.init(sku: "PO-\(caller % 50)", qty: Fixed(1))]))
                    _ = try await recorder.measure {
                        try await inventory.post(operation, key: "po-\(caller)-r\(round)")
                    }
                }
                return recorder
            }
            let receipts = callers * perCaller
            return [
                BenchResult(
                    name: "po.receive", value: Double(receipts) / elapsed.seconds, unit: "receipts/s",
                    p50: latency.percentile(50), p99: latency.percentile(99),
                    note: "\(receipts) receipts against \(callers) purchase orders from \(callers) callers")
            ]
        }
    }

    /// A company, a warehouse, a supplier and a customer, `ATP-ORD` and 50 items bought from the supplier.
    private static func world(_ inventory: Inventory) async throws {
        guard let unit = UnitOfMeasure.builtIn["unit"] else {
            throw BenchFailure(suite: "orders", reason: "the built-in unit `unit` is missing")
        }
        try await inventory.addCompany(code: "ORD", currency: "EUR", costing: .fifo)
        try await inventory.addWarehouse(code: "WH1", company: "ORD")
        try await inventory.addPartner(code: "SUP", role: .supplier, leadDays: 5)
        try await inventory.addPartner(code: "CUS", role: .customer)
        let terms = [Item.Supplier(code: "SUP", price: Fixed(4))]
        try await inventory.addItem(Item(id: ItemID(0), sku: "ATP-ORD", unit: unit, suppliers: terms))
        for index in 0..<50 {
            try await inventory.addItem(Item(id: ItemID(0), sku: "PO-\(index)", unit: unit, suppliers: terms))
        }
    }
}
