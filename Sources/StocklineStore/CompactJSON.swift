import StocklineCore

/// The JSON the stores write on every posting, written directly: the generic encoder cost more than the posting's
/// SQL. Readers decode it exactly as they decode `JSONEncoder`'s output.
enum CompactJSON {
    static func object(_ fields: [String: String]) -> String {
        var text = "{"
        for (index, key) in fields.keys.sorted().enumerated() {
            if index > 0 { text += "," }
            text += string(key) + ":" + string(fields[key] ?? "")
        }
        return text + "}"
    }

    static func result(_ result: PostingResult) -> String {
        let moves = result.moveIDs.map { String($0.rawValue) }.joined(separator: ",")
        return "{\"key\":\(string(result.key)),\"kind\":\(string(result.kind.rawValue)),\"moveIDs\":[\(moves)],"
            + "\"postingID\":\(result.postingID),\"quantity\":\(result.quantity),\"value\":\(result.value)}"
    }

    static func string(_ value: String) -> String {
        var text = "\""
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
        return text + "\""
    }
}
