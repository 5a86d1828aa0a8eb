import Foundation

/// A JSON reader that accepts exactly RFC 8259 over UTF-8: no trailing commas, comments, bare words, byte order
/// mark or duplicate keys. The platform decoder forgives some of these, and a forgiven mistake in an integration
/// is a silent one; every door reads its JSON through here before anything is decoded.
struct StrictJSON {
    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0

    /// Deeper nesting than any request needs is refused rather than followed down the stack.
    static let maximumDepth = 64

    static func parse(_ bytes: [UInt8]) throws(DocumentError) -> DocumentValue {
        var reader = StrictJSON(bytes: bytes)
        reader.skipWhitespace()
        let value = try reader.value(path: "")
        reader.skipWhitespace()
        guard reader.index == bytes.count else { throw reader.error("unexpected text after the JSON value") }
        return value
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func error(_ reason: String, path: String = "") -> DocumentError {
        DocumentError(path: path, reason: "not valid JSON at byte \(index + 1): \(reason)")
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    private mutating func expect(_ literal: String, value: DocumentValue) throws(DocumentError) -> DocumentValue {
        let expected = Array(literal.utf8)
        guard index + expected.count <= bytes.count, Array(bytes[index..<index + expected.count]) == expected else {
            throw error("expected a value")
        }
        index += expected.count
        return value
    }

    private mutating func value(path: String) throws(DocumentError) -> DocumentValue {
        guard let byte = current else { throw error("the text ends where a value should be") }
        switch byte {
        case UInt8(ascii: "{"): return try object(path: path)
        case UInt8(ascii: "["): return try array(path: path)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try expect("true", value: .bool(true))
        case UInt8(ascii: "f"): return try expect("false", value: .bool(false))
        case UInt8(ascii: "n"): return try expect("null", value: .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw error("expected a value")
        }
    }

    private mutating func nest() throws(DocumentError) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw error("nested deeper than \(Self.maximumDepth) levels") }
    }

    private mutating func object(path: String) throws(DocumentError) -> DocumentValue {
        try nest()
        index += 1
        var fields: [(String, DocumentValue)] = []
        var seen = Set<String>()
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(fields)
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw error("expected a quoted member name") }
            let name = try string()
            let member = path.isEmpty ? name : "\(path).\(name)"
            guard seen.insert(name).inserted else { throw error("the member \(name) appears twice", path: member) }
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw error("expected ':' after a member name") }
            index += 1
            skipWhitespace()
            fields.append((name, try value(path: member)))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                depth -= 1
                return .object(fields)
            default: throw error("expected ',' or '}'")
            }
        }
    }

    private mutating func array(path: String) throws(DocumentError) -> DocumentValue {
        try nest()
        index += 1
        var values: [DocumentValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(values)
        }
        while true {
            skipWhitespace()
            values.append(try value(path: "\(path)[\(values.count)]"))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                depth -= 1
                return .array(values)
            default: throw error("expected ',' or ']'")
            }
        }
    }

    private mutating func number() throws(DocumentError) -> String {
        let start = index
        func digits(_ reader: inout StrictJSON) -> Int {
            let from = reader.index
            while let byte = reader.current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                reader.index += 1
            }
            return reader.index - from
        }
        if current == UInt8(ascii: "-") { index += 1 }
        if current == UInt8(ascii: "0") {
            index += 1
        } else if digits(&self) == 0 {
            throw error("expected digits")
        }
        if current == UInt8(ascii: ".") {
            index += 1
            guard digits(&self) > 0 else { throw error("expected digits after '.'") }
        }
        let text: String
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard digits(&self) > 0 else { throw error("expected digits in the exponent") }
            // Written out without the exponent, the form decimal fields read (a number beyond any decimal stays as
            // written, for the field to refuse).
            let written = String(decoding: bytes[start..<index], as: UTF8.self)
            text = Decimal(string: written).map { "\($0)" } ?? written
        } else {
            text = String(decoding: bytes[start..<index], as: UTF8.self)
        }
        return text
    }

    private mutating func string() throws(DocumentError) -> String {
        index += 1
        let start = index
        var scalars = String.UnicodeScalarView()
        var run = index
        func flush(_ reader: StrictJSON, upTo end: Int) throws(DocumentError) {
            guard let text = String(validating: reader.bytes[run..<end], as: UTF8.self) else {
                throw reader.error("a string holds bytes that are not UTF-8")
            }
            scalars.append(contentsOf: text.unicodeScalars)
        }
        while true {
            guard let byte = current else { throw error("a string is not closed") }
            switch byte {
            case UInt8(ascii: "\""):
                if run == start {
                    // No escape: the bytes are the string.
                    guard let text = String(validating: bytes[start..<index], as: UTF8.self) else {
                        throw error("a string holds bytes that are not UTF-8")
                    }
                    index += 1
                    return text
                }
                try flush(self, upTo: index)
                index += 1
                return String(scalars)
            case UInt8(ascii: "\\"):
                try flush(self, upTo: index)
                index += 1
                scalars.append(try escape())
                run = index
            case 0..<0x20:
                throw error("a control character must be escaped inside a string")
            default:
                index += 1
            }
        }
    }

    private mutating func escape() throws(DocumentError) -> Unicode.Scalar {
        guard let byte = current else { throw error("a string ends inside an escape") }
        index += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let high = try hex4()
            if (0xD800..<0xDC00).contains(high) {
                guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u")
                else { throw error("a high surrogate without its low half") }
                index += 2
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low),
                    let scalar = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                else { throw error("a high surrogate without its low half") }
                return scalar
            }
            guard let scalar = Unicode.Scalar(high) else { throw error("a lone surrogate \\u\(high)") }
            return scalar
        default: throw error("an unknown escape")
        }
    }

    private mutating func hex4() throws(DocumentError) -> UInt32 {
        guard index + 4 <= bytes.count,
            bytes[index..<index + 4].allSatisfy({ Character(Unicode.Scalar($0)).isHexDigit }),
            let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
        else { throw error("expected four hex digits after \\u") }
        index += 4
        return value
    }
}
