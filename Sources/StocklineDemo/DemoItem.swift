import StocklineCore

/// What the generator knows of an item: its master data and how it is bought, stored and sold.
struct DemoItem {
    var sku: String
    var name: String
    /// A built-in unit name: unit, l, kg, m.
    var unit: String
    var tracking: Item.Tracking = .none
    /// The nominal unit cost; receipts vary around it.
    var cost: Money
    var packs: [String: Quantity] = [:]
    /// The pack a supplier delivers in, when receipts are given in packs (drums, boxes).
    var receivePack: String?
    var shelfLifeMonths: Int?
    var supplier: String
    var leadTimeDays: Int
    /// The usual size of one order line, in base units.
    var lineQuantity: ClosedRange<Int> = 1...4
    /// Whether a line may carry a fraction (litres, metres, kilograms).
    var fractional = false
    var weight: Fixed?
    var volume: Fixed?
    var gtin: String?
    /// Below which bin of a warehouse's STOCK location receipts are put away.
    var bin = 0

    var isTracked: Bool { tracking != .none }

    func masterData() -> Item {
        let unit =
            UnitOfMeasure.builtIn[self.unit] ?? UnitOfMeasure.builtIn["unit"]
            ?? UnitOfMeasure(name: "unit", category: .unit, factor: Fixed(1), precision: Fixed(1))
        return Item(
            id: ItemID(0), sku: sku, name: name, unit: unit, packs: packs, tracking: tracking, standardCost: cost,
            weight: weight, volume: volume, gtin: gtin,
            suppliers: [Item.Supplier(code: supplier, leadTimeDays: leadTimeDays, price: cost)])
    }

    /// An EAN-13 with a correct check digit, from a 12-digit body.
    static func ean13(_ body: Int) -> String {
        var digits = Array(String(body).suffix(12))
        digits = Array(repeating: "0", count: 12 - digits.count) + digits
        let sum = digits.enumerated().reduce(0) { sum, pair in
            sum + (Int(String(pair.element)) ?? 0) * (pair.offset % 2 == 0 ? 1 : 3)
        }
        return String(digits) + String((10 - sum % 10) % 10)
    }
}
