import Foundation
import Stockline
import StocklineCore
import Testing

@Suite("search")
struct SearchTests {
    @Test("a SKU, a GTIN of any length, an order, a location, a lot or serial in stock, or part of a name")
    func search() async throws {
        try await withStandardWorld { inventory in
            _ = try await inventory.updateItem(sku: "P1") { item in
                var item = item
                item.gtin = "4006381333931"
                item.name = "Brake pad front"
                return item
            }
            try await inventory.post(
                .receive(.init(sku: "OIL", qty: dec("5"), at: "WH1", unitCost: dec("2"), lot: "L-77")))
            try await inventory.post(
                .receive(.init(sku: "ECU", qty: dec("1"), at: "WH1", unitCost: dec("90"), serials: ["SN-9"])))
            let kinds = { (query: String) in
                try await inventory.search(query).map { "\($0.kind.rawValue) \($0.sku ?? $0.reference ?? "")" }
            }
            #expect(try await kinds("P1") == ["item P1"])
            #expect(try await kinds("04006381333931") == ["item P1"], "GTIN-13 found by its 14 digits")
            #expect(try await kinds("WH1") == ["location WH1"])
            #expect(try await kinds("WH1/STOCK") == ["location WH1/STOCK"])
            #expect(try await kinds("L-77") == ["lot OIL"])
            #expect(try await kinds("sn-9") == ["lot ECU"], "serials are lots of one, case-insensitive")
            #expect(try await kinds("brake") == ["item P1"])
            #expect(try await kinds("nothing-like-this").isEmpty)
        }
    }
}
