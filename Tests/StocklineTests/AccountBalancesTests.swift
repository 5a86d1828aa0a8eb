import Foundation
import PropertyBased
import Stockline
import StocklineCore
import Testing

@Suite("account balances kept from the changes feed")
struct AccountBalancesTests {
    @Test("after every posting, and after a change of the chart, they are the journal summed afresh")
    func forwardEqualsFresh() async throws {
        try await withStandardWorld { inventory in
            let balances = AccountBalances(inventory: inventory)
            var random = Xoshiro(seed: (7, 11, 13, 17))
            for step in 0..<40 {
                let sku = ["P1", "P2"][Int(random.next() % 2)]
                let quantity = Fixed(Int(random.next() % 9) + 1)
                switch random.next() % 4 {
                case 0, 1:
                    try await inventory.post(
                        .receive(.init(sku: sku, qty: quantity, at: "WH1", unitCost: Fixed(Int(random.next() % 7) + 1)))
                    )
                case 2: _ = try await inventory.attempt(.deliver(.init(sku: sku, qty: quantity, from: "WH1")))
                default: _ = try await inventory.attempt(.scrap(.init(sku: sku, qty: Fixed(1), from: "WH1")))
                }
                if step == 20 { try await inventory.setAccount(.costOfGoodsSold, to: "5999", company: "ACME") }
                if step % 3 == 0 || step == 20 {
                    let fresh = try await inventory.valuation(at: .distantFuture).accounts
                    #expect(try await balances.current() == fresh, "step \(step)")
                }
            }
            #expect(try await balances.current().contains { $0.account == "5999" })
        }
    }
}
