import Foundation

/// A `Decoder` over a parsed document: reads it as `JSONDecoder` with `convertFromSnakeCase` reads the document's
/// ``DocumentValue/jsonText`` (numbers are their text), without writing and parsing that text, and notes each field
/// the type asked for so that a field it never read can be refused.
struct DocumentDecoder: Decoder {
    let value: DocumentValue
    let codingPath: [any CodingKey]
    /// Where `value` sits in the document, lists as `[]` (`lines[].sku`): how unknown fields are named.
    let place: String
    let reads: DocumentReads

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let fields) = value else {
            throw mismatch([String: Any].self, codingPath, value)
        }
        return KeyedDecodingContainer(DocumentKeyedContainer<Key>(fields: fields, decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let values) = value else { throw mismatch([Any].self, codingPath, value) }
        return DocumentUnkeyedContainer(values: values, decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { DocumentSingleValue(decoder: self) }

    /// The decoder of a value found inside this one: the field `name`, or (nil) an element of a list.
    func child(_ value: DocumentValue, key: any CodingKey, name: String?) -> DocumentDecoder {
        var nested = ""
        switch value {
        case .object, .array:
            if let name { nested = place.isEmpty ? name : place + "." + name } else { nested = place + "[]" }
        default: break
        }
        return DocumentDecoder(value: value, codingPath: codingPath + [key], place: nested, reads: reads)
    }
}

/// Which fields of a document were sent and which the decoded type read, by place (`lines[].sku`).
final class DocumentReads {
    /// Each mapping a container was made over; a field sent as null counts as read.
    private var visits: [(place: String, names: [String], read: [Bool])] = []

    func visit(place: String, fields: [(String, DocumentValue)]) -> Int {
        let read = fields.map { if case .null = $0.1 { true } else { false } }
        visits.append((place, fields.map(\.0), read))
        return visits.count - 1
    }

    func read(_ visit: Int, field: Int) { visits[visit].read[field] = true }

    /// The fields sent with a value that the type read in none of the places of that name.
    var unknown: [String] {
        func paths(read: Bool) -> Set<String> {
            var paths: Set<String> = []
            for visit in visits {
                for (index, name) in visit.names.enumerated() where visit.read[index] == read {
                    paths.insert(visit.place.isEmpty ? name : visit.place + "." + name)
                }
            }
            return paths
        }
        let unread = paths(read: false)
        return unread.isEmpty ? [] : unread.subtracting(paths(read: true)).sorted()
    }
}

private struct DocumentKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let fields: [(String, DocumentValue)]
    let decoder: DocumentDecoder
    /// Each field's name as `convertFromSnakeCase` turns it into a coding key.
    let keys: [String]
    let visit: Int

    init(fields: [(String, DocumentValue)], decoder: DocumentDecoder) {
        self.fields = fields
        self.decoder = decoder
        keys = fields.map { DocumentKeyedContainer.camelCase($0.0) }
        visit = decoder.reads.visit(place: decoder.place, fields: fields)
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var allKeys: [Key] { keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { keys.contains(key.stringValue) }

    private func index(_ key: any CodingKey) throws -> Int {
        guard let index = keys.firstIndex(of: key.stringValue) else {
            throw DecodingError.keyNotFound(
                key, .init(codingPath: codingPath, debugDescription: "No value associated with key \(key.stringValue)"))
        }
        return index
    }

    private func field(_ key: any CodingKey) throws -> DocumentDecoder {
        let index = try index(key)
        decoder.reads.read(visit, field: index)
        return decoder.child(fields[index].1, key: key, name: fields[index].0)
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        if case .null = fields[try index(key)].1 { true } else { false }
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try decode(type, key) }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let index = keys.firstIndex(of: key.stringValue) else { return nil }
        if case .null = fields[index].1 { return nil }
        return try decode(type, forKey: key)
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decode(type as Bool.Type, key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decode(type as String.Type, key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decode(type as Double.Type, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decode(type as Float.Type, key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decode(type as Int.Type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decode(type as Int8.Type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decode(type as Int16.Type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decode(type as Int32.Type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decode(type as Int64.Type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decode(type as UInt.Type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decode(type as UInt8.Type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decode(type as UInt16.Type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decode(type as UInt32.Type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decode(type as UInt64.Type, key) }

    private func decode<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T {
        try DocumentSingleValue(decoder: try field(key)).decode(type)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try field(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try field(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { try field(SuperKey()) }
    func superDecoder(forKey key: Key) throws -> any Decoder { try field(key) }

    /// `JSONDecoder`'s `convertFromSnakeCase`: `unit_cost` → `unitCost`; a name without an inner `_` stays as it is.
    static func camelCase(_ name: String) -> String {
        guard name.utf8.contains(UInt8(ascii: "_")) else { return name }
        guard let first = name.firstIndex(where: { $0 != "_" }) else { return name }
        var last = name.index(before: name.endIndex)
        while last > first && name[last] == "_" { name.formIndex(before: &last) }
        let parts = name[first...last].split(separator: "_")
        let joined =
            parts.count == 1
            ? String(name[first...last])
            : ([parts[0].lowercased()] + parts.dropFirst().map { $0.capitalized }).joined()
        return String(name[..<first]) + joined + String(name[name.index(after: last)...])
    }
}

private struct DocumentUnkeyedContainer: UnkeyedDecodingContainer {
    let values: [DocumentValue]
    let decoder: DocumentDecoder
    private(set) var currentIndex = 0

    init(values: [DocumentValue], decoder: DocumentDecoder) {
        self.values = values
        self.decoder = decoder
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { values.count }
    var isAtEnd: Bool { currentIndex >= values.count }

    private func next<T>(_ type: T.Type) throws -> DocumentDecoder {
        let key = IndexKey(index: currentIndex)
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                type, .init(codingPath: codingPath + [key], debugDescription: "Unkeyed container is at end."))
        }
        return decoder.child(values[currentIndex], key: key, name: nil)
    }

    mutating func decodeNil() throws -> Bool {
        guard case .null = try next(Never.self).value else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let value = try DocumentSingleValue(decoder: try next(type)).decode(type)
        currentIndex += 1
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        let container = try next(type).container(keyedBy: type)
        currentIndex += 1
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let container = try next([Any].self).unkeyedContainer()
        currentIndex += 1
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let decoder = try next(Any.self)
        currentIndex += 1
        return decoder
    }

    private struct IndexKey: CodingKey {
        let index: Int
        init(index: Int) { self.index = index }
        init?(stringValue: String) { nil }
        init?(intValue: Int) { index = intValue }
        var stringValue: String { "Index \(index)" }
        var intValue: Int? { index }
    }
}

/// One value. Numbers are their text, as in ``DocumentValue/jsonText``: a `String` reads them, `Fixed` parses them
/// exactly; a floating-point type never does, so no quantity passes through binary floating point.
private struct DocumentSingleValue: SingleValueDecodingContainer {
    let decoder: DocumentDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { if case .null = decoder.value { true } else { false } }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let value) = decoder.value else { throw mismatch(type, codingPath, decoder.value) }
        return value
    }

    func decode(_ type: String.Type) throws -> String {
        switch decoder.value {
        case .string(let text), .number(let text): return text
        default: throw mismatch(type, codingPath, decoder.value)
        }
    }

    func decode(_ type: Double.Type) throws -> Double { throw mismatch(type, codingPath, decoder.value) }
    func decode(_ type: Float.Type) throws -> Float { throw mismatch(type, codingPath, decoder.value) }
    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if let text = try (T.self == String.self ? decode(String.self) : nil) as? T { return text }
        return try T(from: decoder)
    }

    /// A whole number written as one; numbers of any other shape, and text, are of the wrong kind.
    private func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard case .number(let text) = decoder.value, let value = T(text) else {
            throw mismatch(type, codingPath, decoder.value)
        }
        return value
    }
}

private struct SuperKey: CodingKey {
    var stringValue: String { "super" }
    var intValue: Int? { nil }
    init() {}
    init?(stringValue: String) { nil }
    init?(intValue: Int) { nil }
}

private func mismatch(_ type: Any.Type, _ path: [any CodingKey], _ value: DocumentValue) -> DecodingError {
    if case .null = value {
        return .valueNotFound(type, .init(codingPath: path, debugDescription: "Found null value instead"))
    }
    return .typeMismatch(type, .init(codingPath: path, debugDescription: "Expected to decode \(type)"))
}
