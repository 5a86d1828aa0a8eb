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
}
