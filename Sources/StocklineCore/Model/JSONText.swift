/// JSON text written directly, where the generic encoders cost more than the work around them (fingerprints,
/// stored payloads, the answer to a posting). Its escaping is `JSONEncoder`'s, byte for byte, so stored text compares
/// with what `JSONEncoder` writes.
public enum JSONText {
    /// Appends `string` quoted: the short escapes, `\/`, and `\u00xx` for the other control characters.
    public static func quote(_ string: String, to text: inout String) {
        text += "\""
        defer { text += "\"" }
        let plain = !string.utf8.contains { byte in
            byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "/")
        }
        guard !plain else {
            text += string
            return
        }
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "/": text += "\\/"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "\u{8}": text += "\\b"
            case "\u{C}": text += "\\f"
            case let control where control.value < 0x20:
                let hex = String(control.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
    }

    /// `string` quoted.
    public static func quoted(_ string: String) -> String {
        var text = ""
        text.reserveCapacity(string.utf8.count + 2)
        quote(string, to: &text)
        return text
    }
}
