import Foundation
import StocklineCore
import Testing

@Suite("identifiers: the quick check of an operation's JSON agrees with the full one")
struct IdentifierTests {
    static func json(_ operation: StockOperation) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(operation), as: UTF8.self)
    }

    static func receive(sku: String, at: String = "WH1/STOCK/A-01", lot: String? = nil) -> StockOperation {
        .receive(.init(sku: sku, qty: Fixed(1), at: at, unitCost: Fixed(2), lot: lot))
    }

    @Test("plain names pass quickly; a control character, a non-ASCII letter or a long name goes to the full check")
    func quickCheck() throws {
        #expect(Identifier.allPlain(json: try Self.json(Self.receive(sku: "P-1", lot: "L/2026"))))
        for operation in [
            Self.receive(sku: "P\u{0}1"), Self.receive(sku: "P1\n"), Self.receive(sku: "Pé"),
            Self.receive(sku: String(repeating: "x", count: 101)), Self.receive(sku: "P1", lot: "a\"b"),
        ] {
            #expect(!Identifier.allPlain(json: try Self.json(operation)), "\(operation)")
        }
        // What the quick check sends on, the full check still decides: a quoted or accented name is fine.
        try Self.receive(sku: "Pé", lot: "a\"b").validateIdentifiers()
        #expect(throws: StockError.self) { try Self.receive(sku: "P\u{0}1").validateIdentifiers() }
    }
}
