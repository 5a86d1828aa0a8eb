import Foundation
import Stockline
import StocklineCore
import Testing

/// How an operation sent as JSON is read and what a person is told when it cannot be.
@Suite("reading documents")
struct DocumentDecoderTests {
    func read(_ kind: String, _ json: String) throws -> StockOperation {
        try StockOperation.decode(kind: kind, fields: try DocumentValue.parseJSON(json), at: "")
    }

    func refusal(_ kind: String, _ json: String) -> String? {
        do {
            _ = try read(kind, json)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("snake_case and camelCase fields read alike, numbers keep their digits, null is no value")
    func fieldsAndNumbers() throws {
        let snake = try read("receive", #"{"sku": "P1", "qty": 2.5, "at": "WH1", "unit_cost": "10.125", "lot": null}"#)
        let camel = try read("receive", #"{"sku": "P1", "qty": "2.5", "at": "WH1", "unitCost": 10.125}"#)
        #expect(snake == camel)
        guard case .receive(let receipt) = snake else {
            Issue.record("a receipt reads as \(snake)")
            return
        }
        #expect(receipt.qty == Fixed("2.5"))
        #expect(receipt.unitCost == Fixed("10.125"))
        #expect(receipt.lot == nil)
    }

    @Test("a missing, empty or ill-typed field is named, with list positions from 0")
    func refusedFields() {
        #expect(refusal("receive", #"{"qty": 1, "at": "WH1"}"#) == "receive: missing field sku")
        #expect(refusal("receive", #"{"sku": null, "qty": 1, "at": "WH1"}"#) == "receive: field sku has no value")
        #expect(
            refusal("receive", #"{"sku": "P1", "qty": 1, "at": "WH1", "hold": "yes"}"#)
                == "receive: field hold has a value of the wrong kind")
        #expect(
            refusal(
                "purchase_order",
                #"{"supplier": "S", "at": "WH1", "lines": [{"sku": "P1", "qty": 1}, {"sku": "P2", "qty": true}]}"#)
                == "purchase_order: field lines[1].qty has a value of the wrong kind")
        #expect(
            refusal("purchase_order", #"{"supplier": "S", "at": "WH1", "lines": {"sku": "P1"}}"#)
                == "purchase_order: field lines has a value of the wrong kind")
        #expect(
            refusal("receive", #"{"sku": "P1", "qty": "1.1234567", "at": "WH1"}"#)
                == "receive: field qty has a value of the wrong kind")
    }

    @Test("a field the operation does not read is refused by its place; sent as null, it is let pass")
    func unknownFields() throws {
        #expect(
            refusal("receive", #"{"sku": "P1", "qty": 1, "at": "WH1", "colour": "red"}"#)
                == "receive: unknown field colour")
        #expect(
            refusal(
                "purchase_order",
                #"{"supplier": "S", "at": "WH1", "lines": [{"sku": "P1", "qty": 1, "colour": "red"}, "#
                    + #"{"sku": "P2", "qty": 1, "colour": "blue", "size": {"x": 1}}], "note": "x"}"#)
                == "purchase_order: unknown fields lines[].colour, lines[].size, note")
        _ = try read("receive", #"{"sku": "P1", "qty": 1, "at": "WH1", "colour": null}"#)
    }
}
