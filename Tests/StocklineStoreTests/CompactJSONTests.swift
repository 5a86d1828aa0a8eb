import Foundation
import StocklineCore
import Testing

@testable import StocklineStore

@Suite("compact JSON")
struct CompactJSONTests {
    @Test("event payloads and posting results decode exactly as the generic encoder's output does")
    func roundTrip() throws {
        let payloads: [[String: String]] = [
            [:], ["a": "1"], ["quote": "say \"hi\"", "slash": "WH1/STOCK", "back": #"a\b"#],
            ["control": "line\nbreak\ttab\u{1}\u{1f}", "unicode": "Größe – 東京 🚚", "": "empty key"],
        ]
        for payload in payloads {
            let decoded = try JSONDecoder().decode([String: String].self, from: Data(CompactJSON.object(payload).utf8))
            #expect(decoded == payload)
        }
        for value in ["0", "-12.5", "999999999.999999", "0.000001"] {
            let result = PostingResult(
                postingID: 42, key: "k\"1/é", kind: .returnFromCustomer, moveIDs: [MoveID(7), MoveID(9)],
                quantity: try #require(Fixed(value)), value: -(try #require(Fixed(value))))
            let decoded = try JSONDecoder().decode(PostingResult.self, from: Data(CompactJSON.result(result).utf8))
            #expect(decoded == result)
        }
    }

    static let awkward = [
        "", "plain", "WH1/STOCK", "say \"hi\"", #"a\b"#, "line\nbreak\ttab\r\u{8}\u{C}\u{1}\u{1f}\u{7f}",
        "Größe – 東京 🚚",
        "\u{0}nul", "e\u{301}", "\u{2028}\u{2029}", "</script>",
    ]

    @Test("fingerprints are JSONEncoder's text with sorted keys, byte for byte")
    func canonicalText() throws {
        var operations: [StockOperation] = []
        for (index, name) in Self.awkward.enumerated() {
            let qty = try #require(Fixed(["1", "0.000001", "-12.5", "999999999.999999", "10", "0.1"][index % 6]))
            operations += [
                .receive(
                    .init(
                        sku: name, qty: qty, at: name, unitCost: qty, currency: index % 2 == 0 ? "EUR" : nil,
                        rate: index % 3 == 0 ? qty : nil, lot: name, expiry: "2027-01-31", serials: [name, "s2"],
                        hold: index % 2 == 0)),
                .transfer(.init(sku: name, qty: qty, from: name, to: "B/\(name)", lot: index % 2 == 0 ? name : nil)),
                .purchaseOrder(
                    .init(
                        supplier: name, at: name,
                        lines: [.init(sku: name, qty: qty, unitCost: qty, expected: name), .init(sku: "x", qty: qty)],
                        expected: index % 2 == 0 ? nil : name)),
                .close(.init(order: name)),
            ]
        }
        for operation in operations {
            #expect(try CanonicalJSON.fastText(operation) == CanonicalJSON.foundationText(operation))
        }
        let keys = ["b": 1, "a10": 2, "a9": 3, "B": 4, "_0": 5]
        #expect(try CanonicalJSON.fastText(keys) == CanonicalJSON.foundationText(keys))
        #expect(try CanonicalJSON.fastText([Optional<Int>.none, 3]) == "[null,3]")
        // What the encoder of its own leaves to JSONEncoder.
        #expect(try CanonicalJSON.fastText(["é": 1, "f": 2]) == nil)
        #expect(try CanonicalJSON.fastText([1.5, 1, 1e-7]) == nil)
        #expect(try CanonicalJSON.text([Date(timeIntervalSinceReferenceDate: 12.5)]) == "[12.5]")
    }

    @Test("a decimal's text is the same as Decimal writes it")
    func fixedText() throws {
        var rng = SystemRandomNumberGenerator()
        var values: [Int64] = [0, 1, -1, 10, 1_000_000, -1_000_000, 1_500_000, Int64.max, Int64.min + 1]
        for _ in 0..<5_000 { values.append(Int64.random(in: -10_000_000_000_000...10_000_000_000_000, using: &rng)) }
        for micros in values {
            let fixed = Fixed(micros: micros)
            let decimal = try #require(Decimal(string: fixed.description))
            #expect(decimal.description == fixed.description, "\(micros)")
        }
    }
}
