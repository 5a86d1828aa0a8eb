import Foundation
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

        public var companies: [CompanySpec]?
        public var warehouses: [WarehouseSpec]?
        public var locations: [LocationSpec]?
        public var items: [ItemSpec]?
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
    }

    public struct Step: Sendable {
        public enum Action: Sendable {
            case operation(StockOperation)
            case expect(Expectation)
        }

        /// 1-based, as a person counts the steps of the file.
        public var number: Int
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
        var expectError: String?
        var action: Step.Action?
        for (key, field) in fields {
            switch key {
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
            default:
                guard OperationKind(rawValue: key) != nil else {
                    throw DocumentError(path: path, reason: "unknown field \(key)")
                }
                guard action == nil else { throw DocumentError(path: path, reason: "a step has exactly one operation") }
                action = .operation(try StockOperation.decode(kind: key, fields: field, at: path))
            }
        }
        guard let action else { throw DocumentError(path: path, reason: "no operation") }
        if case .expect = action, expectError != nil {
            throw DocumentError(path: path, reason: "expect_error goes with an operation, not with expect")
        }
        return Step(number: number, id: id, expectError: expectError, action: action)
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
