/// The rules every name the ledger stores and compares must follow: keys, references, lots, serials, reasons.
///
/// A control character (a NUL above all) truncates or splits a name in some layer between the caller and the
/// database, so two distinct names could meet as one; a replacement character says the caller's bytes were not
/// text, so two distinct byte strings could meet as one. Both are refused, as are names too long to be meant.
public enum Identifier {
    /// The limits, in Unicode scalars, by what a field holds.
    public enum Kind: Sendable {
        /// Idempotency keys, posting keys and request ids (the API's `Idempotency-Key`: 1 to 200).
        case key
        /// SKUs, codes, lots, serials, order and document references, actors, sources.
        case reference
        /// A warehouse code or a location path (`WH1/STOCK/A-01`).
        case path
        /// Reasons and other free text a person writes.
        case text

        public var maximumLength: Int {
            switch self {
            case .key: 200
            case .reference: 100
            case .path: 255
            case .text: 500
            }
        }
    }

    /// Refuses `value` unless it is 1 to `kind.maximumLength` printable characters (free text may be empty, and so
    /// may any name where `allowEmpty`, for the rules that give an empty name its meaning to refuse it).
    public static func validate(_ value: String, field: String, kind: Kind, allowEmpty: Bool = false)
        throws(StockError)
    {
        let scalars = value.unicodeScalars
        // Printable ASCII needs no look-up in the Unicode tables, and is nearly every name.
        if !scalars.isEmpty, value.utf8.count <= kind.maximumLength, value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F })
        {
            return
        }
        if scalars.isEmpty, kind != .text, !allowEmpty {
            throw .validationFailed(field: field, reason: "must not be empty")
        }
        if scalars.count > kind.maximumLength {
            throw .validationFailed(
                field: field, reason: "is \(scalars.count) characters long; at most \(kind.maximumLength) are accepted")
        }
        if let bad = scalars.first(where: { $0.properties.generalCategory == .control || $0 == "\u{FFFD}" }) {
            let code = "U+" + String(bad.value, radix: 16, uppercase: true).leftPadded(to: 4)
            throw .validationFailed(
                field: field,
                reason: bad == "\u{FFFD}"
                    ? "holds \(code), the mark of bytes that were not UTF-8 text; send the name as UTF-8"
                    : "holds the control character \(code); names must be printable")
        }
    }
}

extension Identifier {
    /// Whether every string of a JSON text (as `JSONEncoder` writes it) is printable ASCII of at most
    /// `Kind.reference`'s length: then each name in it passes every kind's rule, and a value's JSON (its fingerprint,
    /// encoded anyway) spares reflecting over it. Any escape but `\/` answers false, for the full check to decide.
    public static func allPlain(json: String) -> Bool {
        var inString = false
        var escaped = false
        var length = 0
        for byte in json.utf8 {
            if byte >= 0x80 || byte < 0x20 { return false }
            guard inString else {
                if byte == UInt8(ascii: "\"") {
                    inString = true
                    length = 0
                }
                continue
            }
            if escaped {
                guard byte == UInt8(ascii: "/") else { return false }
                escaped = false
                length += 1
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                inString = false
            } else {
                length += 1
            }
            if length > Kind.reference.maximumLength { return false }
        }
        return !inString
    }
}

extension StockOperation {
    /// Checks every name the operation carries, found by reflection so a new field cannot be forgotten.
    public func validateIdentifiers() throws(StockError) {
        // A quick pass that builds no field names; only a name that fails is looked for again with its path.
        guard !Self.allClean(self, label: nil) else { return }
        for (field, value) in Self.strings(in: self, path: "") {
            let kind: Identifier.Kind =
                switch field.split(separator: ".").last ?? "" {
                case "reason": .text
                case "at", "from", "to": .path
                default: .reference
                }
            try Identifier.validate(value, field: field, kind: kind, allowEmpty: true)
        }
    }

    private static func allClean(_ value: Any, label: String?) -> Bool {
        if let text = value as? String {
            let kind: Identifier.Kind =
                switch label {
                case "reason": .text
                case "at", "from", "to": .path
                default: .reference
                }
            return (try? Identifier.validate(text, field: "", kind: kind, allowEmpty: true)) != nil
        }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional, .collection: return mirror.children.allSatisfy { allClean($0.value, label: label) }
        default: return mirror.children.allSatisfy { allClean($0.value, label: $0.label ?? label) }
        }
    }

    private static func strings(in value: Any, path: String) -> [(String, String)] {
        if let text = value as? String { return [(path, text)] }
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional { return mirror.children.flatMap { strings(in: $0.value, path: path) } }
        if mirror.displayStyle == .collection {
            return mirror.children.enumerated().flatMap { strings(in: $1.value, path: "\(path)[\($0)]") }
        }
        return mirror.children.flatMap { child in
            guard let label = child.label.map(Self.snakeCase), !label.hasPrefix("_") else {
                return strings(in: child.value, path: path)
            }
            return strings(in: child.value, path: path.isEmpty ? label : "\(path).\(label)")
        }
    }

    private static func snakeCase(_ name: String) -> String {
        name.reduce(into: "") { result, character in
            if character.isUppercase { result += "_" + character.lowercased() } else { result.append(character) }
        }
    }
}

extension StateRequest {
    /// Checks the names a read looks up, so a NUL cannot truncate one into another's.
    public func validate() throws(StockError) {
        for (field, names) in [("sku", skus), ("lot", lots), ("order", orders), ("key", postingKeys)] {
            for name in names { try Identifier.validate(name, field: field, kind: field == "key" ? .key : .reference) }
        }
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        String(repeating: "0", count: max(0, length - count)) + self
    }
}
