import Foundation
import Stockline
import StocklineCore
import StocklineDemo
import StocklineStore
import StocklineTestSupport
import Testing

@Suite("accounting: journal entries, reconciliation, valuation at a date")
struct AccountingTests {
    /// ACME values by FIFO (WH1, WH2); BETA by standard cost 10 (WH3).
    static let world = TestWorld(
        companies: [.init("ACME"), .init("BETA", costing: .standard)],
        warehouses: [.init("WH1", company: "ACME"), .init("WH2", company: "ACME"), .init("WH3", company: "BETA")],
        items: [.init("P1", standardCost: Fixed(10))])

    /// The net amount per account role of one posting's entry in one company.
    func entry(_ key: String, company: String, in inventory: Inventory) async throws -> [AccountRole: Money] {
        let lines = try await inventory.journal(company: company).lines.filter { $0.posting == key }
        var sums: [AccountRole: Money] = [:]
        for line in lines { sums[line.role, default: .zero] += line.debit - line.credit }
        return sums.filter { !$0.value.isZero }
    }

    @Test("every valuation change books a balanced entry on the accounts its operation names")
    func entriesPerOperation() async throws {
        try await withTemporaryLedger { ledger in
            let inventory = ledger.inventory
            try await Self.world.build(in: inventory)
            func post(_ key: String, _ operation: StockOperation) async throws {
                try await inventory.post(operation, key: key)
            }
            try await post("r1", .receive("P1", Fixed(10), cost: Fixed(10)))
            #expect(
                try await entry("r1", company: "ACME", in: inventory) == [
                    .stockValuation: dec("100"), .goodsReceivedNotInvoiced: dec("-100"),
                ])
            try await post("d1", .deliver("P1", Fixed(4)))
            #expect(
                try await entry("d1", company: "ACME", in: inventory) == [
                    .costOfGoodsSold: dec("40"), .stockValuation: dec("-40"),
                ])
            try await post("s1", .scrap(.init(sku: "P1", qty: Fixed(1), from: "WH1")))
            #expect(
                try await entry("s1", company: "ACME", in: inventory) == [
                    .scrap: dec("10"), .stockValuation: dec("-10"),
                ])
            try await post("t1", .transfer(.init(sku: "P1", qty: Fixed(2), from: "WH1", to: "WH2", transit: true)))
            #expect(
                try await entry("t1", company: "ACME", in: inventory) == [
                    .transit: dec("20"), .stockValuation: dec("-20"),
                ])
            try await post("a1", .arrive(.init(transfer: "t1")))
            #expect(
                try await entry("a1", company: "ACME", in: inventory) == [
                    .transit: dec("-20"), .stockValuation: dec("20"),
                ])
            try await post("c1", .count(.init(sku: "P1", at: "WH1", counted: Fixed(2))))
            #expect(
                try await entry("c1", company: "ACME", in: inventory) == [
                    .inventoryAdjustment: dec("10"), .stockValuation: dec("-10"),
                ])
            // 4 of r1's 10 units are still in stock (2 in WH1, 2 carried to WH2): 2.40 raises them; the 3.60 on
            // the 6 gone units corrects the postings that took them, 4 : 1 : 1.
            try await post("l1", .landedCost(.init(receipts: ["r1"], amount: Fixed(6), split: .byQuantity)))
            #expect(
                try await entry("l1", company: "ACME", in: inventory) == [
                    .stockValuation: dec("2.40"), .landedCostClearing: dec("-6"), .costOfGoodsSold: dec("2.40"),
                    .scrap: dec("0.60"), .inventoryAdjustment: dec("0.60"),
                ])
            #expect(try await inventory.costOfGoods(postingKey: "d1") == dec("42.40"))
            // Standard cost: stock at 10, the 2 above it a price difference.
            try await post("r2", .receive("P1", Fixed(5), at: "WH3", cost: Fixed(12)))
            #expect(
                try await entry("r2", company: "BETA", in: inventory) == [
                    .stockValuation: dec("50"), .priceDifference: dec("10"), .goodsReceivedNotInvoiced: dec("-60"),
                ])
            // Between companies: ACME sells at its FIFO cost (10 + 0.60 landed), BETA buys at 11 into standard 10.
            try await post(
                "x1", .transfer(.init(sku: "P1", qty: Fixed(1), from: "WH1", to: "WH3", transferPrice: Fixed(11))))
            #expect(
                try await entry("x1", company: "ACME", in: inventory) == [
                    .costOfGoodsSold: dec("10.60"), .stockValuation: dec("-10.60"),
                ])
            #expect(
                try await entry("x1", company: "BETA", in: inventory) == [
                    .stockValuation: dec("10"), .priceDifference: dec("1"), .goodsReceivedNotInvoiced: dec("-11"),
                ])
            try await post("v1", .setCost(.init(sku: "P1", unitCost: Fixed(9), company: "BETA")))
            #expect(
                try await entry("v1", company: "BETA", in: inventory) == [
                    .stockValuation: dec("-6"), .priceDifference: dec("6"),
                ])

            #expect(try await inventory.verify() == [])
            let everything = try await inventory.journal().lines
            let debits = everything.reduce(Money.zero) { $0 + $1.debit }
            let credits = everything.reduce(Money.zero) { $0 + $1.credit }
            #expect(debits == credits && debits.isPositive)
            let accounts = try await inventory.reconciliation()
            #expect(accounts.allSatisfy { $0.row.agrees })
            let acmeStock = accounts.first { $0.company == "ACME" && $0.row.role == .stockValuation }
            #expect(acmeStock?.row.booked == (try await inventory.totalValue(sku: "P1", company: "ACME")))
        }
    }

    @Test("a chart of accounts maps roles to codes per company and item category")
    func chartOfAccounts() async throws {
        try await withTemporaryLedger { ledger in
            let inventory = ledger.inventory
            try await Self.world.build(in: inventory)
            try await inventory.post(.receive("P1", Fixed(2), cost: Fixed(5)), key: "r1")
            #expect(Set(try await inventory.journal().lines.map(\.account)) == ["1400", "2100"])
            _ = try await inventory.setAccount(.stockValuation, to: "13100", company: "ACME")
            _ = try await inventory.setAccount(
                .goodsReceivedNotInvoiced, to: "40-GRNI", company: "ACME", category: "spares")
            #expect(Set(try await inventory.journal().lines.map(\.account)) == ["13100", "2100"])
            await #expect(throws: StockError.self) {
                _ = try await inventory.setAccount(.scrap, to: " ", company: "ACME")
            }
            await #expect(throws: StockError.self) {
                _ = try await inventory.setAccount(.scrap, to: "9", company: "NOPE")
            }
        }
    }

    @Test("valuation at three past dates of the demo world equals a replay of the ledger up to each date")
    func valuationAtPastDates() async throws {
        try await withTemporaryLedger { ledger in
            let clock = DemoClock()
            let demo = Inventory(store: ledger.inventory.store, environment: clock.environment)
            _ = try await buildDemoWorld(into: demo, scale: .small, seed: 7, clock: clock)
            let day: TimeInterval = 86_400
            for offset in [3.0, 11.0, 20.0] {
                let moment = DemoClock.start.addingTimeInterval(offset * day)
                try await withTemporaryLedger { replica in
                    let replayed = try await demo.replay(into: replica.inventory, through: moment)
                    #expect(replayed > 0)
                    let reported = try await demo.valuation(at: moment)
                    let rebuilt = try await replica.inventory.valuation(at: .distantFuture)
                    #expect(!reported.lines.isEmpty)
                    #expect(reported.lines == rebuilt.lines, "lines at day \(offset)")
                    #expect(reported.accounts == rebuilt.accounts, "accounts at day \(offset)")
                    #expect(try await replica.inventory.verify() == [])
                }
            }
            let later = try await demo.valuation(at: DemoClock.start.addingTimeInterval(20 * day))
            let earlier = try await demo.valuation(at: DemoClock.start.addingTimeInterval(3 * day))
            #expect(later.lines != earlier.lines, "the dates chosen see different stock")
        }
    }
}
