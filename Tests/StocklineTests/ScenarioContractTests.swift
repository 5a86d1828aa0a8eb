import Foundation
import StocklineScenario
import Testing

@Suite("scenario files")
struct ScenarioContractTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func run(_ paths: [String]) async throws -> ScenarioRunner.Report {
        await ScenarioRunner.sqlite().run(try ScenarioRunner.files(in: paths))
    }

    @Test("every scenario of the project and of the shared contract passes")
    func allScenariosPass() async throws {
        let shared = Self.root.deletingLastPathComponent().appendingPathComponent("shared/scenarios").path
        let project = Self.root.appendingPathComponent("scenarios").path
        let paths = [project] + (FileManager.default.fileExists(atPath: shared) ? [shared] : [])
        let report = try await Self.run(paths)
        let failures = report.lines.filter { !$0.passed }.map { "\($0.file) step \($0.step ?? 0): \($0.message)" }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(report.passed > 50)
        #expect(report.closingLine == "\(report.passed) passed, 0 failed")
    }

    @Test("a wrong expectation fails, with the actual figure in the message")
    func wrongExpectationFails() async throws {
        let file = try Self.write(
            """
            name: wrong
            setup: {warehouses: [{code: WH1}], items: [{sku: P1, uom: unit}]}
            steps:
              - receive: {sku: P1, qty: 10, unit_cost: 10, at: WH1}
              - expect: {sku: P1, at: WH1, on_hand: 9}
              - deliver: {sku: P1, qty: 11, from: WH1}
              - deliver: {sku: P1, qty: 1, from: WH1}
                expect_error: insufficient_stock
            """)
        let report = try await Self.run([file])
        #expect(report.passed == 0)
        #expect(report.failed == 3)
        #expect(report.lines[0].message.contains("on_hand is 10, expected 9"))
        #expect(report.lines[1].message.contains("insufficient_stock"))
        #expect(report.lines[2].message.contains("was posted"))
    }

    @Test("a malformed file is reported with its step and reason, and the other files still run")
    func malformedFileIsReported() async throws {
        let bad = try Self.write(
            """
            name: bad
            setup: {warehouses: [{code: WH1}], items: [{sku: P1, uom: unit}]}
            steps:
              - receive: {sku: P1, qty: 10, unit_cost: 10, at: WH1, colour: red}
            """)
        let good = try Self.write(
            """
            name: good
            setup: {warehouses: [{code: WH1}], items: [{sku: P1, uom: unit}]}
            steps:
              - receive: {sku: P1, qty: 1, at: WH1}
              - expect: {sku: P1, at: WH1, on_hand: 1}
            """)
        let report = try await Self.run([bad, good])
        #expect(report.malformed == 1)
        #expect(report.passed == 1)
        #expect(report.failed == 1)
        let line = try #require(report.lines.first { !$0.passed })
        #expect(line.message.contains("step 1"))
        #expect(line.message.contains("unknown field colour"))
        #expect(!report.succeeded)
    }

    @Test("the clock only moves forward: an on: before the clock, or before setup.today, is a malformed file")
    func clockGoingBackIsMalformed() async throws {
        let backwards = try Self.write(
            """
            name: backwards
            setup: {today: 2026-03-02, warehouses: [{code: WH1}], items: [{sku: P1, uom: unit}]}
            steps:
              - on: 2026-03-05
                receive: {sku: P1, qty: 1, at: WH1}
              - on: 2026-03-04
                receive: {sku: P1, qty: 1, at: WH1}
            """)
        let beforeToday = try Self.write(
            """
            name: before today
            setup: {today: 2026-03-02, warehouses: [{code: WH1}], items: [{sku: P1, uom: unit}]}
            steps:
              - on: 2026-03-01T23:59:59Z
                receive: {sku: P1, qty: 1, at: WH1}
            """)
        let sameInstant = try Self.write(
            """
            name: same instant
            setup: {today: 2026-03-02, warehouses: [{code: WH1}], items: [{sku: P1, uom: unit}]}
            steps:
              - on: 2026-03-02
                receive: {sku: P1, qty: 1, at: WH1}
              - on: 2026-03-02
                expect: {sku: P1, at: WH1, on_hand: 1}
            """)
        let report = try await Self.run([backwards, beforeToday, sameInstant])
        #expect(report.malformed == 2)
        #expect(report.passed == 1, "steps at the same instant run in file order")
        let reasons = report.lines.filter { !$0.passed }.map(\.message)
        #expect(reasons.allSatisfy { $0.contains("goes back in time") }, "\(reasons)")
        #expect(reasons.contains { $0.contains("step 2") })
    }

    @Test("a reference to a step id that no earlier step has is a malformed file")
    func unknownReferenceIsMalformed() async throws {
        let file = try Self.write(
            """
            name: dangling
            setup: {warehouses: [{code: WH1}, {code: WH2}], items: [{sku: P1, uom: unit}]}
            steps:
              - arrive: {transfer: t9}
            """)
        let report = try await Self.run([file])
        #expect(report.malformed == 1)
        #expect(report.lines.first?.message.contains("t9") == true)
    }

    static func write(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("scenario-\(UUID().uuidString).yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}
