import Foundation
import Stockline
import StocklineCore

/// Evaluates `expect` steps by asking the service; it computes nothing itself.
struct Checker {
    let target: any ScenarioTarget
    /// The scenario's clock at the step.
    let today: Date

    /// The failures `check` finds; an error is one failure, so a file goes on.
    func evaluate(_ check: () async throws -> [String]) async -> [String] {
        do {
            return try await check()
        } catch let refusal as Refusal {
            return ["could not evaluate: \(refusal.code): \(refusal.message)"]
        } catch let error as StockError {
            return ["could not evaluate: \(error.code): \(error.description)"]
        } catch {
            return ["could not evaluate: \(error)"]
        }
    }

    func check(_ expected: Scenario.OrderExpectation) async throws -> [String] {
        let order = try await target.order(id: expected.order, today: today)
        var failures: [String] = []
        if let status = expected.status, status != order.status {
            failures.append("status is \(order.status.rawValue), expected \(status.rawValue)")
        }
        for line in expected.lines ?? [] {
            guard let actual = order.lines.first(where: { $0.sku == line.sku }) else {
                failures.append("no line for \(line.sku)")
                continue
            }
            func compare(_ name: String, _ expected: Quantity?, _ actual: Quantity?) {
                guard let expected else { return }
                if expected != (actual ?? .zero) {
                    failures.append("\(line.sku) \(name) is \((actual ?? .zero).description), expected \(expected)")
                }
            }
            compare("ordered", line.ordered, actual.ordered)
            compare("received", line.received, actual.received)
            compare("shipped", line.shipped, actual.shipped)
            compare("open", line.open, actual.open)
            compare("reserved", line.reserved, actual.reserved)
            compare("backorder", line.backorder, actual.backorder)
            compare("cancelled", line.cancelled, actual.cancelled)
            compare("required", line.required, actual.required)
            compare("shortfall", line.shortfall, actual.shortfall)
            if let overdue = line.overdue, overdue != (actual.overdue ?? false) {
                failures.append("\(line.sku) overdue is \(actual.overdue ?? false), expected \(overdue)")
            }
            if let expected = line.expected {
                let date = try Scenario.date(expected, at: "expected")
                if actual.expected != date {
                    failures.append(
                        "\(line.sku) expected is \(actual.expected.map(Self.day) ?? "none"), expected \(expected)")
                }
            }
        }
        return failures
    }

    func check(_ expected: Scenario.PromiseExpectation) async throws -> [String] {
        let date = try await target.promise(sku: expected.sku, quantity: expected.qty, at: expected.at, today: today)
        let wanted = expected.date == "none" ? nil : try Scenario.date(expected.date, at: "date")
        guard date != wanted else { return [] }
        return ["promised \(date.map(Self.day) ?? "none"), expected \(expected.date)"]
    }

    static func day(_ date: Date) -> String { Day.text(Day.start(of: date)) }

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
