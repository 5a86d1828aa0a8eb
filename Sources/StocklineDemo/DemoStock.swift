import StocklineCore

/// An item in one warehouse: the unit the demo plans stock by.
struct Place: Hashable, Sendable {
    var warehouse: String
    var sku: String
}

/// Some units of one lot (or serial number, or of an untracked item when `lot` is nil).
struct Portion: Hashable, Sendable {
    var lot: String?
    var quantity: Quantity
}

/// Where the generator believes stock is, so that it plans only postings the ledger will accept.
///
/// `free` mirrors the unreserved stock below a warehouse's STOCK location; `blocked` mirrors its QC location.
/// Portions are kept oldest first, which for lots is also earliest expiry first.
struct DemoStock {
    private var free: [Place: [Portion]] = [:]
    private var held: [Place: [Portion]] = [:]

    func available(_ place: Place) -> Quantity { Self.total(free[place]) }
    func blocked(_ place: Place) -> Quantity { Self.total(held[place]) }
    func portions(_ place: Place, blocked: Bool = false) -> [Portion] { (blocked ? held[place] : free[place]) ?? [] }

    /// Places that hold free stock, in a stable order.
    var stockedPlaces: [Place] {
        free.filter { Self.total($0.value).isPositive }.keys.sorted { ($0.warehouse, $0.sku) < ($1.warehouse, $1.sku) }
    }

    mutating func put(_ portions: [Portion], at place: Place, blocked: Bool = false) {
        var list = (blocked ? held[place] : free[place]) ?? []
        for portion in portions where portion.quantity.isPositive {
            if let index = list.firstIndex(where: { $0.lot == portion.lot }) {
                list[index].quantity += portion.quantity
            } else {
                list.append(portion)
            }
        }
        if blocked { held[place] = list } else { free[place] = list }
    }

    /// Takes up to `quantity`, oldest first (only of `lot` when one is named); returns what it took.
    mutating func take(_ quantity: Quantity, from place: Place, lot: String? = nil, blocked: Bool = false) -> [Portion]
    {
        var list = (blocked ? held[place] : free[place]) ?? []
        var left = quantity
        var taken: [Portion] = []
        for index in list.indices where left.isPositive && (lot == nil || list[index].lot == lot) {
            let amount = min(left, list[index].quantity)
            guard amount.isPositive else { continue }
            list[index].quantity -= amount
            left -= amount
            taken.append(Portion(lot: list[index].lot, quantity: amount))
        }
        list.removeAll { !$0.quantity.isPositive }
        if blocked { held[place] = list } else { free[place] = list }
        return taken
    }

    /// Sets the free quantity of one lot (or of the untracked item), as a count does.
    mutating func set(_ quantity: Quantity, at place: Place, lot: String?) {
        var list = free[place] ?? []
        if let index = list.firstIndex(where: { $0.lot == lot }) {
            list[index].quantity = quantity
        } else {
            list.append(Portion(lot: lot, quantity: quantity))
        }
        list.removeAll { !$0.quantity.isPositive }
        free[place] = list
    }

    static func total(_ portions: [Portion]?) -> Quantity {
        (portions ?? []).reduce(Quantity.zero) { $0 + $1.quantity }
    }
}
