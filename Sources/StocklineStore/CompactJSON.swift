import StocklineCore

/// The JSON the stores write on every posting, written directly: the generic encoder cost more than the posting's
/// SQL. Readers decode it exactly as they decode `JSONEncoder`'s output.
enum CompactJSON {
    static func object(_ fields: [String: String]) -> String {
        var text = "{"
        text.reserveCapacity(fields.reduce(2) { $0 + $1.key.utf8.count + $1.value.utf8.count + 6 })
        for (index, field) in fields.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }).enumerated() {
            if index > 0 { text += "," }
            text += "\""
            append(field.key, to: &text)
            text += "\":\""
            append(field.value, to: &text)
            text += "\""
        }
        return text + "}"
    }

    static func result(_ result: PostingResult) -> String {
        var text = "{\"key\":\""
        text.reserveCapacity(result.key.utf8.count + 120)
        append(result.key, to: &text)
        text += "\",\"kind\":\""
        text += result.kind.rawValue
        text += "\",\"moveIDs\":["
        for (index, id) in result.moveIDs.enumerated() {
            if index > 0 { text += "," }
            text += String(id.rawValue)
        }
        text += "],\"postingID\":"
        text += String(result.postingID)
        text += ",\"quantity\":"
        text += result.quantity.description
        text += ",\"value\":"
        text += result.value.description
        return text + "}"
    }

    static func string(_ value: String) -> String {
        var text = "\""
        text.reserveCapacity(value.utf8.count + 2)
        append(value, to: &text)
        text += "\""
        return text
    }

    /// Appends `value`'s characters, escaped as JSON needs, without the quotes.
    static func append(_ value: String, to text: inout String) {
        guard value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") })
        else {
            text += value
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case let control where control.value < 0x20:
                let hex = String(control.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
    }
}
