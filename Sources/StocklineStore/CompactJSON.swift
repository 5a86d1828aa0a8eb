import StocklineCore

/// The JSON the stores write on every posting, written directly: the generic encoder cost more than the posting's
/// SQL. Readers decode it exactly as they decode `JSONEncoder`'s output.
enum CompactJSON {
    static func object(_ fields: [String: String]) -> String {
        var text = "{"
        text.reserveCapacity(fields.reduce(2) { $0 + $1.key.utf8.count + $1.value.utf8.count + 6 })
        for (index, field) in fields.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }).enumerated() {
            if index > 0 { text += "," }
            JSONText.quote(field.key, to: &text)
            text += ":"
            JSONText.quote(field.value, to: &text)
        }
        return text + "}"
    }

    static func result(_ result: PostingResult) -> String {
        var text = "{\"key\":"
        text.reserveCapacity(result.key.utf8.count + 120)
        JSONText.quote(result.key, to: &text)
        text += ",\"kind\":\""
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
}
