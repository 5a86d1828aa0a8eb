import Foundation
import StocklineCore

/// A parsed JSON or YAML document, with numbers kept as their exact text so decimals never pass through `Double`.
public indirect enum DocumentValue: Sendable, Hashable, Decodable {
    case null
    case bool(Bool)
    case string(String)
    case number(String)
    case array([DocumentValue])
    case object([(String, DocumentValue)])

    public static func == (lhs: DocumentValue, rhs: DocumentValue) -> Bool { lhs.jsonText == rhs.jsonText }
    public func hash(into hasher: inout Hasher) { hasher.combine(jsonText) }

    public init(from decoder: any Decoder) throws {
        if var array = try? decoder.unkeyedContainer() {
            var values: [DocumentValue] = []
            while !array.isAtEnd { values.append(try array.decode(DocumentValue.self)) }
            self = .array(values)
            return
        }
        if let object = try? decoder.container(keyedBy: AnyKey.self) {
            self = .object(
                try object.allKeys.map { ($0.stringValue, try object.decode(DocumentValue.self, forKey: $0)) })
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let bool = try? single.decode(Bool.self) {
            self = .bool(bool)
        } else if let string = try? single.decode(String.self) {
            self = .string(string)
        } else {
            self = .number("\(try single.decode(Decimal.self))")
        }
    }

    /// Parses one JSON text, strictly (see ``StrictJSON``).
    public static func parseJSON(_ text: String) throws(DocumentError) -> DocumentValue {
        try StrictJSON.parse(Array(text.utf8))
    }

    /// Parses JSON bytes, strictly: they must be UTF-8 (see ``StrictJSON``).
    public static func parseJSON(bytes: [UInt8]) throws(DocumentError) -> DocumentValue {
        try StrictJSON.parse(bytes)
    }

    public var object: [(String, DocumentValue)]? { if case .object(let fields) = self { fields } else { nil } }

    public var text: String? {
        switch self {
        case .string(let text), .number(let text): text
        case .bool(let value): String(value)
        default: nil
        }
    }

    public subscript(key: String) -> DocumentValue? { object?.first { $0.0 == key }?.1 }

    /// JSON with every number written as a string: what two documents compare and hash by.
    var jsonText: String {
        switch self {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .string(let text), .number(let text): JSONText.quoted(text)
        case .array(let values): "[" + values.map(\.jsonText).joined(separator: ",") + "]"
        case .object(let fields):
            "{" + fields.map { JSONText.quoted($0.0) + ":" + $0.1.jsonText }.joined(separator: ",") + "}"
        }
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

/// Why a document could not be read; `path` points at the offending field.
public struct DocumentError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }
}

/// Decodes snake_case documents into Codable values and refuses keys the type does not read.
public enum StrictDecoder {
    public static func decode<T: Decodable>(_ type: T.Type, from value: DocumentValue, at path: String) throws -> T {
        guard value.object != nil else { throw DocumentError(path: path, reason: "expected a mapping of fields") }
        let reads = DocumentReads()
        let decoded: T
        do {
            decoded = try T(from: DocumentDecoder(value: value, codingPath: [], place: "", reads: reads))
        } catch let DecodingError.keyNotFound(key, _) {
            throw DocumentError(path: path, reason: "missing field \(snakeCase(key.stringValue))")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.dataCorrupted(context) {
            throw DocumentError(path: path, reason: "field \(field(context.codingPath)) has a value of the wrong kind")
        } catch let DecodingError.valueNotFound(_, context) {
            throw DocumentError(path: path, reason: "field \(field(context.codingPath)) has no value")
        }
        let unknown = reads.unknown
        guard unknown.isEmpty else {
            throw DocumentError(
                path: path, reason: "unknown field\(unknown.count > 1 ? "s" : "") \(unknown.joined(separator: ", "))")
        }
        return decoded
    }

    /// `lines[0].unit_cost`: list positions count from 0, as in a JSON pointer.
    private static func field(_ path: [any CodingKey]) -> String {
        path.reduce(into: "") { text, key in
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + snakeCase(key.stringValue)
            }
        }
    }

    static func snakeCase(_ name: String) -> String {
        name.reduce(into: "") { result, character in
            if character.isUppercase { result += "_" + character.lowercased() } else { result.append(character) }
        }
    }
}
