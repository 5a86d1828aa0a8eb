import Stockline
import StocklineCore

/// Evaluates `expect` steps by asking the service; it computes nothing itself.
struct Checker {
    let target: any ScenarioTarget

    func check(_ expectation: Scenario.Expectation) async throws -> [String] {
        var failures: [String] = []
        func compare(_ name: String, _ expected: Fixed?, _ actual: Fixed, places: Int) {
            guard let expected else { return }
            if expected.rounded(places: places) != actual.rounded(places: places) {
                failures.append("\(name) is \(actual.formatted(places: places)), expected \(expected)")
            }
        }
        if let ledger = expectation.ledger {
            guard ledger == "balanced" else { return ["ledger: only 'balanced' can be expected"] }
            failures += try await target.imbalances()
        }
        if let step = expectation.step {
            compare("cogs of \(step)", expectation.cogs, try await target.costOfGoods(key: step), places: 2)
        }
        if let sku = expectation.sku {
            if expectation.totalValue != nil {
                compare(
                    "total_value", expectation.totalValue,
                    try await target.totalValue(sku: sku, company: expectation.company), places: 2)
            }
            let buckets: [Fixed?] = [
                expectation.onHand, expectation.available, expectation.reserved, expectation.blocked,
                expectation.inTransit, expectation.incoming, expectation.outgoing, expectation.value,
                expectation.unitCost,
            ]
            if buckets.contains(where: { $0 != nil }) {
                let position = try await target.position(sku: sku, at: expectation.at, lot: expectation.lot)
                let places = try await target.quantityPlaces(sku: sku)
                compare("on_hand", expectation.onHand, position.onHand, places: places)
                compare("available", expectation.available, position.available, places: places)
                compare("reserved", expectation.reserved, position.reserved, places: places)
                compare("blocked", expectation.blocked, position.blocked, places: places)
                compare("in_transit", expectation.inTransit, position.inTransit, places: places)
                compare("incoming", expectation.incoming, position.incoming, places: places)
                compare("outgoing", expectation.outgoing, position.outgoing, places: places)
                compare("value", expectation.value, position.value, places: 2)
                compare("unit_cost", expectation.unitCost, position.unitCost, places: 2)
            }
        }
        return failures
    }

    static func describe(_ expectation: Scenario.Expectation) -> String {
        if let step = expectation.step { return "cogs of \(step)" }
        if expectation.ledger != nil { return "ledger balanced" }
        var parts = [expectation.sku].compactMap { $0 }
        if let at = expectation.at { parts.append("at \(at)") }
        if let lot = expectation.lot { parts.append("lot \(lot)") }
        return parts.joined(separator: " ")
    }
}
