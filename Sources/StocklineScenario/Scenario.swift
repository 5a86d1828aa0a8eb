public import Foundation
import Stockline
public import StocklineCore
import Yams

/// A scenario file: a small world, the operations run against it, and what must then be true.
public struct Scenario: Sendable {
    public var name: String
    public var setup: Setup
    public var steps: [Step]

    public struct Setup: Sendable, Codable {
        public init(
            companies: [CompanySpec]? = nil, warehouses: [WarehouseSpec]? = nil, locations: [LocationSpec]? = nil,
            items: [ItemSpec]? = nil
        ) {
            self.companies = companies
            self.warehouses = warehouses
            self.locations = locations
            self.items = items
        }

        /// The clock at the first step (YYYY-MM-DD); default 2026-01-05.
        public var today: String?
        public var companies: [CompanySpec]?
        public var warehouses: [WarehouseSpec]?
        public var locations: [LocationSpec]?
        public var suppliers: [PartnerSpec]?
        public var customers: [PartnerSpec]?
        public var items: [ItemSpec]?
        /// Bills of materials: what one unit of each SKU is made of.
        public var boms: [BOMSpec]?
        public var routes: [RouteSpec]?
    }

    public struct RouteSpec: Sendable, Codable {
        public var from: String
        public var to: String
        public var leadDays: Days?
        public var cost: Money?
    }

    public struct BOMSpec: Sendable, Codable {
        public var sku: String
        public var lines: [Line]

        public struct Line: Sendable, Codable {
            public var sku: String
            public var qty: Quantity
        }
    }

    public struct PartnerSpec: Sendable, Codable {
        public var code: String
        public var name: String?
        public var leadDays: Days?
    }

    public struct ItemSupplierSpec: Sendable, Codable {
        public var supplier: String
        public var price: Money?
        public var leadDays: Days?
        public var minQty: Quantity?
        public var multiple: Quantity?
    }

    public struct CompanySpec: Sendable, Codable {
        public var code: String
        public var currency: String?
        public var costing: CostingMethod?
    }

    public struct WarehouseSpec: Sendable, Codable {
        public var code: String
        public var company: String?
        public var kind: Warehouse.Kind?
        public var allowNegative: Bool?
    }

    public struct LocationSpec: Sendable, Codable {
        public var path: String
    }

    public struct ItemSpec: Sendable, Codable {
        public var sku: String
        public var uom: String
        public var name: String?
        public var tracking: Item.Tracking?
        public var pack: [String: Quantity]?
        public var standardCost: Money?
        public var weight: Fixed?
        public var volume: Fixed?
        public var gtin: String?
        public var lifecycle: Item.Lifecycle?
        /// The item's suppliers, the preferred one first.
        public var suppliers: [ItemSupplierSpec]?
    }

    public struct Step: Sendable {
        public enum Action: Sendable {
            case operation(StockOperation)
            case expect(Expectation)
            case expectOrder(OrderExpectation)
            case expectPromise(PromiseExpectation)
        }

        /// 1-based, as a person counts the steps of the file.
        public var number: Int
        /// The instant the clock moves to before the step (`on:`).
        public var on: Date?
        public var id: String?
        public var expectError: String?
        public var action: Action

        /// The idempotency key the step posts under; later steps refer to it by `id`.
        public var key: String { id ?? "#\(number)" }
    }

    /// What an `expect` step checks; unnamed fields are not checked.
    public struct Expectation: Sendable, Codable {
        public var sku: String?
        public var at: String?
        public var lot: String?
        public var onHand: Quantity?
        public var available: Quantity?
        public var reserved: Quantity?
        public var blocked: Quantity?
        public var inTransit: Quantity?
        public var incoming: Quantity?
        public var outgoing: Quantity?
        public var value: Money?
        public var unitCost: Money?
        public var step: String?
        public var cogs: Money?
        public var totalValue: Money?
        public var company: String?
        public var ledger: String?
    }

    /// A whole number of days, written as a number or (YAML scalars being text) as its digits.
    public struct Days: Sendable, Codable, Hashable {
        public var value: Int

        public init(_ value: Int) { self.value = value }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int.self) {
                value = number
            } else if let number = Int(try container.decode(String.self)) {
                value = number
            } else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a whole number of days")
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(value)
        }
    }

    /// What an `expect_order` step checks: the named fields of the order and of the lines it lists (by SKU).
    public struct OrderExpectation: Sendable, Codable {
        public var order: String
        public var status: Order.Status?
        public var lines: [Line]?

        public struct Line: Sendable, Codable {
            public var sku: String
            public var ordered: Quantity?
            public var received: Quantity?
            public var shipped: Quantity?
            public var open: Quantity?
            public var reserved: Quantity?
            public var backorder: Quantity?
            public var cancelled: Quantity?
            /// A production order's component lines.
            public var required: Quantity?
            public var shortfall: Quantity?
            public var expected: String?
            public var overdue: Bool?
        }
    }

    /// What an `expect_promise` step checks: the earliest date `qty` can be promised, or `none`.
    public struct PromiseExpectation: Sendable, Codable {
        public var sku: String
        public var qty: Quantity
        public var at: String
        public var date: String
    }
}

extension Scenario {
    /// Parses a scenario from YAML (or JSON, which is YAML too).
    public static func parse(_ text: String) throws -> Scenario {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw DocumentError(path: "", reason: "not valid YAML: \(error)")
        }
        guard let node else { throw DocumentError(path: "", reason: "the file is empty") }
        return try parse(document(node))
    }

    static func parse(_ root: DocumentValue) throws -> Scenario {
        guard let fields = root.object else {
            throw DocumentError(path: "", reason: "a scenario is a mapping with name, setup and steps")
        }
        let unknown = fields.map(\.0).filter { !["name", "setup", "steps"].contains($0) }
        guard unknown.isEmpty else {
            throw DocumentError(path: "", reason: "unknown field \(unknown.joined(separator: ", "))")
        }
        guard let name = root["name"]?.text, !name.isEmpty else {
            throw DocumentError(path: "", reason: "missing field name")
        }
        var setup = Setup()
        if let value = root["setup"], value != .null {
            setup = try StrictDecoder.decode(Setup.self, from: value, at: "setup")
        }
        try checkList(root["setup"]?["companies"], CompanySpec.self, "setup.companies")
        try checkList(root["setup"]?["warehouses"], WarehouseSpec.self, "setup.warehouses")
        try checkList(root["setup"]?["locations"], LocationSpec.self, "setup.locations")
        try checkList(root["setup"]?["items"], ItemSpec.self, "setup.items")
        try checkList(root["setup"]?["suppliers"], PartnerSpec.self, "setup.suppliers")
        try checkList(root["setup"]?["customers"], PartnerSpec.self, "setup.customers")
        try checkList(root["setup"]?["boms"], BOMSpec.self, "setup.boms")
        try checkList(root["setup"]?["routes"], RouteSpec.self, "setup.routes")
        if case .array(let items) = root["setup"]?["items"] ?? .null {
            for (index, item) in items.enumerated() {
                try checkList(item["suppliers"], ItemSupplierSpec.self, "setup.items[\(index + 1)].suppliers")
            }
        }
        var clock = try setup.today.map { try date($0, at: "setup.today") } ?? Self.defaultToday
        guard case .array(let list) = root["steps"] ?? .null else {
            throw DocumentError(path: "", reason: "missing list steps")
        }
        var steps: [Step] = []
        var ids = Set<String>()
        for (index, value) in list.enumerated() {
            let step = try parseStep(value, number: index + 1)
            let path = "step \(step.number)"
            if case .operation(let operation) = step.action {
                for reference in operation.references where !ids.contains(reference) {
                    throw DocumentError(path: path, reason: "refers to step id \(reference), which no earlier step has")
                }
            }
            if let id = step.id {
                guard ids.insert(id).inserted else { throw DocumentError(path: path, reason: "id \(id) is used twice") }
            }
            if let on = step.on {
                guard on >= clock else {
                    throw DocumentError(
                        path: path, reason: "on: goes back in time, before \(clock.formatted(.iso8601))")
                }
                clock = on
            }
            steps.append(step)
        }
        return Scenario(name: name, setup: setup, steps: steps)
    }

    private static func checkList<T: Codable>(_ value: DocumentValue?, _ type: T.Type, _ path: String) throws {
        guard case .array(let list) = value ?? .null else { return }
        for (index, element) in list.enumerated() {
            _ = try StrictDecoder.decode(type, from: element, at: "\(path)[\(index + 1)]")
        }
    }

    static func parseStep(_ value: DocumentValue, number: Int) throws -> Step {
        let path = "step \(number)"
        guard let fields = value.object else {
            throw DocumentError(path: path, reason: "a step is a mapping such as {receive: {...}}")
        }
        var id: String?
        var on: Date?
        var expectError: String?
        var action: Step.Action?
        func only(_ next: Step.Action) throws {
            guard action == nil else { throw DocumentError(path: path, reason: "a step has exactly one operation") }
            action = next
        }
        for (key, field) in fields {
            switch key {
            case "on":
                guard let text = field.text else {
                    throw DocumentError(path: path, reason: "on must be a date (YYYY-MM-DD) or a UTC date-time")
                }
                on = try date(text, at: "\(path).on")
            case "expect_order":
                try only(
                    .expectOrder(try StrictDecoder.decode(OrderExpectation.self, from: field, at: "\(path).\(key)")))
            case "expect_promise":
                try only(
                    .expectPromise(try StrictDecoder.decode(PromiseExpectation.self, from: field, at: "\(path).\(key)"))
                )
            case "id":
                guard let text = field.text, !text.isEmpty else {
                    throw DocumentError(path: path, reason: "id must be a name")
                }
                id = text
            case "expect_error":
                guard let text = field.text else {
                    throw DocumentError(path: path, reason: "expect_error must be an error code")
                }
                expectError = text
            case "expect":
                guard action == nil else { throw DocumentError(path: path, reason: "a step has exactly one operation") }
                action = .expect(try StrictDecoder.decode(Expectation.self, from: field, at: "\(path).expect"))
                _ = only
            default:
                guard OperationKind(rawValue: key) != nil else {
                    throw DocumentError(path: path, reason: "unknown field \(key)")
                }
                guard action == nil else { throw DocumentError(path: path, reason: "a step has exactly one operation") }
                action = .operation(try StockOperation.decode(kind: key, fields: field, at: path))
            }
        }
        guard let action else { throw DocumentError(path: path, reason: "no operation") }
        if case .operation = action {
        } else if expectError != nil {
            throw DocumentError(path: path, reason: "expect_error goes with an operation, not with expect")
        }
        return Step(number: number, on: on, id: id, expectError: expectError, action: action)
    }

    /// The clock of a file that names no `setup.today`.
    public static let defaultToday = Date(timeIntervalSince1970: 1_767_571_200)

    /// A date (00:00:00Z of that day) or a UTC date-time such as 2026-03-10T18:00:00Z.
    static func date(_ text: String, at path: String) throws -> Date {
        if let date = Day.parse(text) { return date }
        throw DocumentError(path: path, reason: "\(text) is not a date (YYYY-MM-DD) or a UTC date-time")
    }

    /// YAML to a document: plain true/false are booleans, plain null or ~ is null, every other scalar is text.
    static func document(_ node: Node) throws -> DocumentValue {
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain {
                switch scalar.string {
                case "true", "True", "TRUE": return .bool(true)
                case "false", "False", "FALSE": return .bool(false)
                case "null", "Null", "NULL", "~", "": return .null
                default: break
                }
            }
            return .string(scalar.string)
        case .mapping(let mapping):
            var fields: [(String, DocumentValue)] = []
            for (key, value) in mapping {
                guard case .scalar(let scalar) = key else {
                    throw DocumentError(path: "", reason: "keys must be plain names")
                }
                guard !fields.contains(where: { $0.0 == scalar.string }) else {
                    throw DocumentError(path: "", reason: "field \(scalar.string) appears twice")
                }
                fields.append((scalar.string, try document(value)))
            }
            return .object(fields)
        case .sequence(let sequence):
            return .array(try sequence.map(document))
        case .alias:
            throw DocumentError(path: "", reason: "YAML aliases are not supported in scenarios")
        }
    }
}
