import Foundation
import Stockline
import Yams

/// The limits the OpenAPI document states, read from the document itself so the server enforces exactly what it
/// publishes: lengths, item counts and ranges of parameters and bodies, and which methods each path takes.
///
/// The generated code decodes types but checks none of these; `RequestValidationMiddleware` does, with this.
struct APIContract: Sendable {
    struct Operation: Sendable {
        var method: String
        var path: String
        var parameters: [Parameter]
        /// The schema of an `application/json` request body.
        var body: Schema?
    }

    struct Parameter: Sendable {
        var name: String
        var location: String
        var schema: Schema
    }

    /// The subset of JSON Schema whose limits are checked; everything else is the decoder's.
    final class Schema: Sendable {
        let reference: String?
        /// The first type named (`type: string`, or the first of `type: [string, "null"]`).
        let type: String?
        let nullable: Bool
        let minLength: Int?
        let maxLength: Int?
        let minItems: Int?
        let maxItems: Int?
        let minimum: Double?
        let maximum: Double?
        let required: [String]
        let properties: [String: Schema]
        let items: Schema?
        let branches: [Schema]
        let all: [Schema]

        init(_ node: Any?) {
            let node = node as? [String: Any] ?? [:]
            func int(_ key: String) -> Int? { node[key] as? Int }
            func number(_ key: String) -> Double? { (node[key] as? Int).map(Double.init) ?? node[key] as? Double }
            reference = (node["$ref"] as? String).map { $0.replacingOccurrences(of: "#/components/schemas/", with: "") }
            let types = (node["type"] as? [String]) ?? [node["type"] as? String].compactMap { $0 }
            type = types.first { $0 != "null" }
            nullable = types.contains("null") || (node["nullable"] as? Bool ?? false)
            minLength = int("minLength")
            maxLength = int("maxLength")
            minItems = int("minItems")
            maxItems = int("maxItems")
            minimum = number("minimum")
            maximum = number("maximum")
            required = node["required"] as? [String] ?? []
            properties = (node["properties"] as? [String: Any] ?? [:]).mapValues(Schema.init)
            items = node["items"].map(Schema.init)
            branches = ((node["oneOf"] as? [Any] ?? []) + (node["anyOf"] as? [Any] ?? [])).map(Schema.init)
            all = (node["allOf"] as? [Any] ?? []).map(Schema.init)
        }
    }

    var operations: [String: Operation] = [:]
    var schemas: [String: Schema] = [:]

    /// The contract of the bundled document; an unreadable document is a build defect, so it fails loudly.
    static let bundled: APIContract = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml", subdirectory: "Resources"),
            let text = try? String(contentsOf: url, encoding: .utf8), let contract = try? APIContract(yaml: text)
        else { preconditionFailure("the bundled openapi.yaml cannot be read; the build is broken") }
        return contract
    }()

    init(yaml: String) throws {
        let document = try Yams.load(yaml: yaml) as? [String: Any] ?? [:]
        let components = document["components"] as? [String: Any] ?? [:]
        schemas = (components["schemas"] as? [String: Any] ?? [:]).mapValues(Schema.init)
        let sharedParameters = components["parameters"] as? [String: Any] ?? [:]
        func resolve(_ node: Any) -> [String: Any] {
            let node = node as? [String: Any] ?? [:]
            guard let reference = node["$ref"] as? String else { return node }
            return sharedParameters[reference.replacingOccurrences(of: "#/components/parameters/", with: "")]
                as? [String: Any] ?? [:]
        }
        for (path, item) in document["paths"] as? [String: Any] ?? [:] {
            let item = item as? [String: Any] ?? [:]
            let shared = (item["parameters"] as? [Any] ?? []).map(resolve)
            for method in ["get", "put", "post", "delete", "patch"] {
                guard let operation = item[method] as? [String: Any], let id = operation["operationId"] as? String
                else { continue }
                let parameters = (shared + (operation["parameters"] as? [Any] ?? []).map(resolve)).compactMap {
                    parameter -> Parameter? in
                    guard let name = parameter["name"] as? String, let location = parameter["in"] as? String else {
                        return nil
                    }
                    return Parameter(name: name, location: location, schema: Schema(parameter["schema"]))
                }
                let content = (operation["requestBody"] as? [String: Any])?["content"] as? [String: Any]
                let body = (content?["application/json"] as? [String: Any]).map { Schema($0["schema"]) }
                operations[id] = Operation(method: method.uppercased(), path: path, parameters: parameters, body: body)
            }
        }
    }

    /// The methods the document gives a concrete request path, matching `{name}` segments to anything.
    func methods(forPath path: String) -> [String] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        let methods = operations.values.filter { operation in
            let template = operation.path.split(separator: "/", omittingEmptySubsequences: false)
            return template.count == segments.count
                && zip(template, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }.map(\.method)
        return Array(Set(methods)).sorted()
    }

    func schema(_ schema: Schema) -> Schema {
        guard let reference = schema.reference, let target = schemas[reference] else { return schema }
        return self.schema(target)
    }

    /// The first limit `value` breaks, as a refusal naming the field.
    func check(_ value: DocumentValue, against schema: Schema, path: String) throws(DocumentError) {
        let schema = self.schema(schema)
        for part in schema.all { try check(value, against: part, path: path) }
        if !schema.branches.isEmpty, let branch = schema.branches.first(where: { fits(value, self.schema($0)) }) {
            try check(value, against: branch, path: path)
        }
        switch value {
        case .string(let text):
            let length = text.unicodeScalars.count
            if let minimum = schema.minLength, length < minimum {
                throw DocumentError(
                    path: path, reason: "must be at least \(minimum) character\(minimum == 1 ? "" : "s") long")
            }
            if let maximum = schema.maxLength, length > maximum {
                throw DocumentError(path: path, reason: "is \(length) characters long; at most \(maximum) are accepted")
            }
        case .number(let text):
            guard let number = Double(text) else { return }
            if let minimum = schema.minimum, number < minimum {
                throw DocumentError(path: path, reason: "must be at least \(Self.format(minimum)), not \(text)")
            }
            if let maximum = schema.maximum, number > maximum {
                throw DocumentError(path: path, reason: "must be at most \(Self.format(maximum)), not \(text)")
            }
        case .array(let values):
            if let minimum = schema.minItems, values.count < minimum {
                throw DocumentError(
                    path: path,
                    reason: "needs at least \(minimum) entr\(minimum == 1 ? "y" : "ies"), not \(values.count)")
            }
            if let maximum = schema.maxItems, values.count > maximum {
                throw DocumentError(path: path, reason: "takes at most \(maximum) entries, not \(values.count)")
            }
            if let items = schema.items {
                for (index, element) in values.enumerated() {
                    try check(element, against: items, path: "\(path)[\(index)]")
                }
            }
        case .object(let fields):
            for (name, field) in fields {
                guard let property = schema.properties[name] else { continue }
                try check(field, against: property, path: path.isEmpty ? name : "\(path).\(name)")
            }
        case .null:
            guard allowsNull(schema) else {
                throw DocumentError(path: path, reason: "must not be null; leave the member out instead")
            }
        case .bool:
            break
        }
    }

    /// Whether `null` is a value of the schema: a declared type without `null` excludes it (an optional member is
    /// left out, not sent as null).
    private func allowsNull(_ schema: Schema) -> Bool {
        let schema = self.schema(schema)
        if schema.nullable { return true }
        if schema.type != nil { return false }
        return schema.branches.isEmpty || schema.branches.contains { allowsNull($0) }
    }

    /// Whether a value has the shape of a `oneOf` branch: its type, and for objects every required member.
    private func fits(_ value: DocumentValue, _ schema: Schema) -> Bool {
        switch value {
        case .object(let fields):
            guard schema.type == nil || schema.type == "object" else { return false }
            let names = Set(fields.map(\.0))
            return schema.required.allSatisfy(names.contains)
        case .array: return schema.type == nil || schema.type == "array"
        case .string: return schema.type == nil || schema.type == "string"
        case .number: return schema.type == nil || schema.type == "number" || schema.type == "integer"
        case .bool: return schema.type == nil || schema.type == "boolean"
        case .null: return true
        }
    }

    static func format(_ number: Double) -> String {
        number == number.rounded() ? String(Int64(number)) : String(number)
    }
}
