import Foundation
import StocklineCore

/// JSON with sorted keys: the one text a value has, for fingerprints and stored results alike.
///
/// Stored fingerprints are compared byte for byte, so the text is `JSONEncoder`'s with `.sortedKeys`, written by
/// an encoder of its own that is several times faster for the values the ledger fingerprints. Anything it does not
/// write exactly as `JSONEncoder` does (floating point, dates, keys beyond ASCII) goes to `JSONEncoder` itself.
enum CanonicalJSON {
    static func text<T: Encodable>(_ value: T) throws -> String {
        try fastText(value) ?? foundationText(value)
    }

    /// The text from the encoder of its own, or nil where it would not be `JSONEncoder`'s.
    static func fastText<T: Encodable>(_ value: T) throws -> String? {
        do {
            var text = ""
            try CanonicalEncoder.value(of: value).write(to: &text)
            return text
        } catch is CanonicalEncoder.Unsupported {
            return nil
        }
    }

    /// `JSONEncoder`'s text: the reference the fast path must equal.
    static func foundationText<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// A value on its way to text: scalars already written, containers filled by the containers that hold them.
private enum CanonicalValue {
    case text(String)
    case object(CanonicalObject)
    case array(CanonicalArray)
    /// A value no container was asked for: `JSONEncoder` writes `{}`.
    case empty

    func write(to text: inout String) throws {
        switch self {
        case .text(let scalar): text += scalar
        case .empty: text += "{}"
        case .object(let object):
            guard !object.unsupported else { throw CanonicalEncoder.Unsupported() }
            let entries = object.entries.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            text += "{"
            for (index, entry) in entries.enumerated() {
                if index > 0 {
                    guard entry.key != entries[index - 1].key else { throw CanonicalEncoder.Unsupported() }
                    text += ","
                }
                JSONText.quote(entry.key, to: &text)
                text += ":"
                try entry.value.write(to: &text)
            }
            text += "}"
        case .array(let array):
            text += "["
            for (index, element) in array.elements.enumerated() {
                if index > 0 { text += "," }
                try element.write(to: &text)
            }
            text += "]"
        }
    }
}

private final class CanonicalObject {
    var entries: [(key: String, value: CanonicalValue)] = []
    /// Set by what this encoder does not write as `JSONEncoder` would (a key beyond ASCII, a super encoder).
    var unsupported = false
}

private final class CanonicalArray {
    var elements: [CanonicalValue] = []
}

private final class CanonicalEncoder: Encoder {
    struct Unsupported: Error {}

    // No coding path is kept: the values fingerprinted do not ask for it, and keeping it cost an array per field.
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var result = CanonicalValue.empty

    static func value<T: Encodable>(of value: T) throws -> CanonicalValue {
        switch value {
        case let string as String: return .text(JSONText.quoted(string))
        case let fixed as Fixed: return .text(fixed.description)
        case let decimal as Decimal: return .text(decimal.description)
        case let bool as Bool: return .text(bool ? "true" : "false")
        case let int as Int64: return .text(String(int))
        case let int as Int: return .text(String(int))
        case let int as any BinaryInteger: return .text(String(describing: int))
        case is Double, is Float, is Date, is Data, is URL: throw Unsupported()
        default:
            let encoder = CanonicalEncoder()
            try value.encode(to: encoder)
            return encoder.result
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let object: CanonicalObject
        if case .object(let existing) = result {
            object = existing
        } else {
            object = CanonicalObject()
            result = .object(object)
        }
        return KeyedEncodingContainer(CanonicalKeyedContainer(object: object))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let array: CanonicalArray
        if case .array(let existing) = result {
            array = existing
        } else {
            array = CanonicalArray()
            result = .array(array)
        }
        return CanonicalUnkeyedContainer(array: array)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        CanonicalSingleValueContainer(encoder: self)
    }
}

private struct CanonicalKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let object: CanonicalObject
    var codingPath: [any CodingKey] { [] }

    private func add(_ value: CanonicalValue, _ key: Key) {
        if !key.stringValue.utf8.allSatisfy({ $0 < 0x80 }) { object.unsupported = true }
        object.entries.append((key.stringValue, value))
    }

    mutating func encodeNil(forKey key: Key) throws { add(.text("null"), key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        add(try CanonicalEncoder.value(of: value), key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested = CanonicalObject()
        add(.object(nested), key)
        return KeyedEncodingContainer(
            CanonicalKeyedContainer<NestedKey>(object: nested))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = CanonicalArray()
        add(.array(nested), key)
        return CanonicalUnkeyedContainer(array: nested)
    }

    mutating func superEncoder() -> any Encoder {
        object.unsupported = true
        return CanonicalEncoder()
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder() }
}

private struct CanonicalUnkeyedContainer: UnkeyedEncodingContainer {
    let array: CanonicalArray
    var codingPath: [any CodingKey] { [] }
    var count: Int { array.elements.count }

    mutating func encodeNil() throws { array.elements.append(.text("null")) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        array.elements.append(try CanonicalEncoder.value(of: value))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        let nested = CanonicalObject()
        array.elements.append(.object(nested))
        return KeyedEncodingContainer(CanonicalKeyedContainer<NestedKey>(object: nested))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = CanonicalArray()
        array.elements.append(.array(nested))
        return CanonicalUnkeyedContainer(array: nested)
    }

    mutating func superEncoder() -> any Encoder {
        let encoder = CanonicalEncoder()
        let marker = CanonicalObject()
        marker.unsupported = true
        array.elements.append(.object(marker))
        return encoder
    }
}

private struct CanonicalSingleValueContainer: SingleValueEncodingContainer {
    let encoder: CanonicalEncoder
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil() throws { encoder.result = .text("null") }

    mutating func encode<T: Encodable>(_ value: T) throws {
        encoder.result = try CanonicalEncoder.value(of: value)
    }
}
