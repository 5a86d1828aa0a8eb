import Foundation

/// Validation of master data, shared by every store so they refuse the same things.
public enum MasterData {
    public static func code(_ code: String, field: String) throws(StockError) -> String {
        let code = code.trimmingCharacters(in: .whitespaces)
        guard !code.isEmpty, code.count <= 64, !code.contains("/"), !hasControlCharacters(code) else {
            throw .validationFailed(
                field: field, reason: "'\(code)' must be 1 to 64 printable characters without '/'")
        }
        return code
    }

    /// Control characters (a NUL above all) have no place in names people type and databases compare.
    static func hasControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    public static func currency(_ currency: String) throws(StockError) -> String {
        guard currency.count == 3, currency.allSatisfy({ $0.isLetter && $0.isUppercase }) else {
            throw .validationFailed(field: "currency", reason: "'\(currency)' is not an ISO 4217 code such as EUR")
        }
        return currency
    }

    public static func path(_ path: String) throws(StockError) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts.allSatisfy({ !$0.trimmingCharacters(in: .whitespaces).isEmpty }),
            !hasControlCharacters(path), path.count <= 255
        else {
            throw .validationFailed(field: "path", reason: "'\(path)' must look like WH1/STOCK/A-01")
        }
        return path
    }

    public static func validate(_ item: Item) throws(StockError) {
        _ = try code(item.sku, field: "sku")
        for (name, quantity) in item.packs {
            guard quantity.isPositive, quantity <= Fixed(1_000_000), UnitOfMeasure.builtIn[name] == nil,
                name != item.unit.name
            else {
                throw .validationFailed(
                    field: "pack", reason: "pack \(name) must hold a positive quantity and not be named like a unit")
            }
        }
        for (field, value) in [("standard_cost", item.standardCost), ("weight", item.weight), ("volume", item.volume)] {
            if let value, value.isNegative { throw .validationFailed(field: field, reason: "must not be negative") }
            if let value, value > Fixed.maximumQuantity {
                throw .validationFailed(field: field, reason: "must not be above \(Fixed.maximumQuantity)")
            }
        }
        if let gtin = item.gtin, !([8, 12, 13, 14].contains(gtin.count) && gtin.allSatisfy(\.isNumber)) {
            throw .validationFailed(field: "gtin", reason: "'\(gtin)' is not a GTIN of 8, 12, 13 or 14 digits")
        }
    }

    /// Checks an item change: what the ledger's history depends on (SKU, unit, tracking) cannot change.
    public static func update(_ current: Item, to updated: Item) throws(StockError) -> Item {
        guard updated.id == current.id, updated.sku == current.sku else {
            throw .validationFailed(field: "sku", reason: "an item's SKU cannot change")
        }
        guard updated.unit == current.unit else {
            throw .validationFailed(
                field: "uom", reason: "the base unit of \(current.sku) cannot change once it exists")
        }
        guard updated.tracking == current.tracking else {
            throw .validationFailed(
                field: "tracking", reason: "the tracking of \(current.sku) cannot change once it exists")
        }
        try validate(updated)
        return updated
    }
}

extension Item {
    /// A version tag for optimistic concurrency: it changes whenever anything of the item does.
    public var etag: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(self)) ?? Data()
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
