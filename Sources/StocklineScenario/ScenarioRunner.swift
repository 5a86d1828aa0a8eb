public import Foundation
public import Stockline
import StocklineCore
import Synchronization

/// Runs scenario files, each against a fresh ledger, through the same `Inventory` service as every other door.
public struct ScenarioRunner: Sendable {
    /// One printed line of a run.
    public struct Line: Sendable, Codable {
        public var file: String
        public var step: Int?
        public var passed: Bool
        public var message: String
    }

    public struct Report: Sendable, Codable {
        public var lines: [Line] = []
        public var passed = 0
        public var failed = 0
        public var files = 0
        public var malformed = 0

        public var closingLine: String { "\(passed) passed, \(failed) failed" }
        public var succeeded: Bool { failed == 0 && malformed == 0 }
    }

    /// Makes a fresh ledger (or a fresh corner of a shared one) for one file.
    public var makeTarget: @Sendable (Environment) async throws -> any ScenarioTarget
    /// Called for each line as soon as it is known, for progress output.
    public var onLine: @Sendable (Line) -> Void

    public init(
        makeTarget: @escaping @Sendable (Environment) async throws -> any ScenarioTarget,
        onLine: @escaping @Sendable (Line) -> Void = { _ in }
    ) {
        self.makeTarget = makeTarget
        self.onLine = onLine
    }

    /// Each file runs in-process against the ledger `makeInventory` makes; `removeInventory` disposes of it.
    public init(
        makeInventory: @escaping @Sendable (Environment) async throws -> Inventory,
        onLine: @escaping @Sendable (Line) -> Void = { _ in },
        removeInventory: @escaping @Sendable (Inventory) async -> Void = { _ in }
    ) {
        self.init(
            makeTarget: { environment in
                LocalTarget(inventory: try await makeInventory(environment), remove: removeInventory)
            }, onLine: onLine)
    }

    /// Each file runs against a running server through its public API, its names tagged apart from other files'.
    public static func server(_ url: URL, token: String, onLine: @escaping @Sendable (Line) -> Void = { _ in })
        -> ScenarioRunner
    {
        ScenarioRunner(
            makeTarget: { _ in
                HTTPTarget(server: url, token: token, tag: "s" + UUID().uuidString.prefix(8).lowercased())
            }, onLine: onLine)
    }

    /// Each file gets its own temporary SQLite database, removed afterwards.
    public static func sqlite(onLine: @escaping @Sendable (Line) -> Void = { _ in }) -> ScenarioRunner {
        ScenarioRunner(
            makeInventory: { environment in try await Inventory.scratch(environment: environment) }, onLine: onLine,
            removeInventory: { inventory in await inventory.discard() })
    }

    /// Each file gets a fresh schema (`scenario_<random>`) in the PostgreSQL database `url` names, created before the
    /// file runs and dropped after it, so runs never see each other's rows and leave nothing behind.
    public static func postgres(url: String, onLine: @escaping @Sendable (Line) -> Void = { _ in }) -> ScenarioRunner {
        ScenarioRunner(
            makeInventory: { environment in try await Inventory.scratch(postgresURL: url, environment: environment) },
            onLine: onLine, removeInventory: { inventory in await inventory.discard() })
    }

    /// Scenario files named directly, or found (`.yaml`, `.yml`, `.json`) in folders, in name order.
    public static func files(in paths: [String]) throws -> [URL] {
        var files: [URL] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw DocumentError(path: path, reason: "no such file or folder")
            }
            if isDirectory.boolValue {
                let entries = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
                files += entries.filter { ["yaml", "yml", "json"].contains(($0 as NSString).pathExtension) }
                    .map { URL(fileURLWithPath: path).appendingPathComponent($0) }
            } else {
                files.append(URL(fileURLWithPath: path))
            }
        }
        return files
    }

    public func run(_ files: [URL]) async -> Report {
        var report = Report()
        for file in files {
            report.files += 1
            await run(file, into: &report)
        }
        return report
    }

    private func emit(_ line: Line, into report: inout Report) {
        report.lines.append(line)
        if line.passed { report.passed += 1 } else { report.failed += 1 }
        onLine(line)
    }

    func run(_ file: URL, into report: inout Report) async {
        let name = file.lastPathComponent
        let scenario: Scenario
        do {
            scenario = try Scenario.parse(String(contentsOf: file, encoding: .utf8))
        } catch {
            report.malformed += 1
            emit(Line(file: name, step: nil, passed: false, message: "malformed: \(error)"), into: &report)
            return
        }
        let clock = StepClock(
            origin: (try? scenario.setup.today.map { try Scenario.date($0, at: "setup.today") })
                ?? Scenario.defaultToday)
        let environment = Environment(now: { clock.now() }, newKey: { UUID().uuidString })
        let target: any ScenarioTarget
        do {
            target = try await makeTarget(environment)
        } catch {
            emit(Line(file: name, step: nil, passed: false, message: "setup failed: \(error)"), into: &report)
            return
        }
        do {
            try await target.setUp(scenario.setup)
        } catch {
            emit(Line(file: name, step: nil, passed: false, message: "setup failed: \(error)"), into: &report)
            await target.finish()
            return
        }
        for step in scenario.steps {
            if let on = step.on { clock.move(to: on) }
            clock.advance()
            let checker = Checker(target: target, today: clock.now())
            let failures: [String]
            let summary: String
            switch step.action {
            case .operation(let operation):
                await run(operation, step: step, file: name, target: target, now: clock.now(), into: &report)
                continue
            case .expect(let expectation):
                summary = Checker.describe(expectation)
                failures = await checker.evaluate { try await checker.check(expectation) }
            case .expectOrder(let expectation):
                summary = "order \(expectation.order)"
                failures = await checker.evaluate { try await checker.check(expectation) }
            case .expectPromise(let expectation):
                summary = "promise \(expectation.qty) \(expectation.sku) at \(expectation.at)"
                failures = await checker.evaluate { try await checker.check(expectation) }
            }
            emit(
                Line(
                    file: name, step: step.number, passed: failures.isEmpty,
                    message: failures.isEmpty
                        ? "expect \(summary)" : "expect \(summary): " + failures.joined(separator: "; ")),
                into: &report)
        }
        await target.finish()
    }

    private func run(
        _ operation: StockOperation, step: Scenario.Step, file: String, target: any ScenarioTarget, now: Date,
        into report: inout Report
    ) async {
        let label = "\(operation.kind.rawValue)"
        do {
            let before = try await target.ledgerMark()
            let outcome = try await target.post(operation, key: step.key, source: file, at: now)
            switch (outcome, step.expectError) {
            case (.success, nil):
                break
            case (.success, let code?):
                emit(
                    Line(
                        file: file, step: step.number, passed: false,
                        message: "\(label) should be refused with \(code) but was posted"), into: &report)
            case (.failure(let error), nil):
                emit(
                    Line(
                        file: file, step: step.number, passed: false,
                        message: "\(label) refused: \(error.code): \(error.message)"), into: &report)
            case (.failure(let error), let code?):
                let after = try await target.ledgerMark()
                if error.code != code {
                    emit(
                        Line(
                            file: file, step: step.number, passed: false,
                            message: "\(label) refused with \(error.code) (\(error.message)), expected \(code)"),
                        into: &report)
                } else if after != before {
                    emit(
                        Line(
                            file: file, step: step.number, passed: false,
                            message: "\(label) refused with \(code) but the ledger changed"), into: &report)
                } else {
                    emit(
                        Line(file: file, step: step.number, passed: true, message: "\(label) refused with \(code)"),
                        into: &report)
                }
            }
        } catch {
            emit(
                Line(file: file, step: step.number, passed: false, message: "\(label) failed: \(error)"), into: &report)
        }
    }

    /// Creates the companies, warehouses, locations and items of a setup (the default company when none is named).
    public static func build(_ setup: Scenario.Setup, in inventory: Inventory) async throws {
        let companies = setup.companies ?? [Scenario.CompanySpec(code: "MAIN", currency: "EUR", costing: .fifo)]
        for company in companies {
            try await inventory.addCompany(
                code: company.code, currency: company.currency ?? "EUR", costing: company.costing ?? .fifo)
        }
        for warehouse in setup.warehouses ?? [] {
            try await inventory.addWarehouse(
                code: warehouse.code, company: warehouse.company ?? companies.first?.code,
                kind: warehouse.kind ?? .distributionCentre,
                allowNegative: warehouse.allowNegative ?? false)
        }
        for location in setup.locations ?? [] { try await inventory.addLocation(path: location.path) }
        for supplier in setup.suppliers ?? [] {
            try await inventory.addPartner(
                code: supplier.code, role: .supplier, name: supplier.name, leadDays: supplier.leadDays?.value ?? 0)
        }
        for customer in setup.customers ?? [] {
            try await inventory.addPartner(
                code: customer.code, role: .customer, name: customer.name, leadDays: customer.leadDays?.value ?? 0)
        }
        for spec in setup.items ?? [] {
            guard let unit = UnitOfMeasure.builtIn[spec.uom] else {
                throw StockError.validationFailed(
                    field: "uom", reason: "\(spec.uom) is not a known unit (unit, kg, g, t, lb, l, ml, m, cm, mm)")
            }
            try await inventory.addItem(
                Item(
                    id: ItemID(0), sku: spec.sku, name: spec.name, unit: unit, packs: spec.pack ?? [:],
                    tracking: spec.tracking ?? .none, lifecycle: spec.lifecycle ?? .active,
                    standardCost: spec.standardCost,
                    weight: spec.weight, volume: spec.volume, gtin: spec.gtin,
                    suppliers: (spec.suppliers ?? []).map {
                        Item.Supplier(
                            code: $0.supplier, leadTimeDays: $0.leadDays?.value, price: $0.price,
                            minQuantity: $0.minQty,
                            multiple: $0.multiple)
                    }))
        }
        for route in setup.routes ?? [] {
            try await inventory.setRoute(
                from: route.from, to: route.to, leadDays: route.leadDays?.value ?? 0, cost: route.cost ?? .zero)
        }
        for bom in setup.boms ?? [] {
            try await inventory.setBill(sku: bom.sku, components: bom.lines.map { ($0.sku, $0.qty) })
        }
    }
}

/// A clock that moves one second per step from the file's today, and to a step's `on:`, so postings get distinct,
/// ordered, reproducible times on the days the file names.
final class StepClock: Sendable {
    private let state: Mutex<(origin: Date, seconds: Int)>

    init(origin: Date) { state = Mutex((origin, 0)) }

    func advance() { state.withLock { $0.seconds += 1 } }
    func move(to instant: Date) { state.withLock { $0 = (instant, 0) } }
    func now() -> Date { state.withLock { $0.origin.addingTimeInterval(TimeInterval($0.seconds)) } }
}
