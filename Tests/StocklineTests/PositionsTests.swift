import Stockline
import StocklineCore
import StocklineTestSupport
import Testing

@Suite("positions of many items")
struct PositionsTests {
    @Test("positions(skus:) answers what position(sku:) answers for each item, everywhere and at a warehouse")
    func manyItemsMatchOneByOne() async throws {
        try await withTemporaryLedger { ledger in
            let inventory = ledger.inventory
            try await TestWorld(
                companies: [.init("ACME")], warehouses: [.init("WH1"), .init("WH2")],
                items: [.init("P1"), .init("P2"), .init("P3")]
            ).build(in: inventory)
            try await inventory.post(.receive(.init(sku: "P1", qty: Fixed(10), at: "WH1", unitCost: Fixed(4))))
            try await inventory.post(.receive(.init(sku: "P1", qty: Fixed(5), at: "WH2", unitCost: Fixed(6))))
            try await inventory.post(.receive(.init(sku: "P2", qty: Fixed(7), at: "WH2", unitCost: Fixed(3))))
            try await inventory.post(.reserve(.init(sku: "P1", qty: Fixed(2), at: "WH1", order: "SO-1")))
            let skus = ["P1", "P2", "P3"]
            let everywhere = try await inventory.positions(skus: skus)
            let atWH1 = try await inventory.positions(skus: skus, at: "WH1")
            for sku in skus {
                #expect(everywhere[sku] == (try await inventory.position(sku: sku)))
                #expect(atWH1[sku] == (try await inventory.position(sku: sku, at: "WH1")))
            }
            #expect(everywhere["P1"]?.onHand == Fixed(15))
            #expect(atWH1["P1"]?.reserved == Fixed(2))
            await #expect(throws: StockError.self) { try await inventory.positions(skus: ["NOPE"]) }
        }
    }
}
