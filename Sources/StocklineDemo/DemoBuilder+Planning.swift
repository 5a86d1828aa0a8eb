import StocklineCore

extension DemoBuilder {
    /// Adds each outlet's expected daily demand per item: most lines go to the fast movers.
    func addOutletRates() {
        for outlet in outlets {
            let lines = Double(outlet.linesPerDay.lowerBound + outlet.linesPerDay.upperBound) / 2 * volume
            let hot = Set(outlet.hot)
            for sku in outlet.skus {
                let item = item(sku)
                var share = 0.3 / Double(max(1, outlet.skus.count))
                if hot.contains(sku) { share += 0.7 / Double(max(1, hot.count)) }
                let quantity = Double(item.lineQuantity.lowerBound + item.lineQuantity.upperBound) / 2
                rates[Place(warehouse: outlet.warehouse, sku: sku), default: 0] +=
                    lines * share * quantity
                    * Double(outlet.quantityFactor)
            }
        }
    }

    /// Adds a place's demand to the warehouse that refills it.
    func propagate(_ place: Place, to source: String) {
        rates[Place(warehouse: source, sku: place.sku), default: 0] += rates[place] ?? 0
    }

    /// Adds the components a plant consumes for what it is expected to make.
    func explode(_ plant: String) {
        for (sku, recipe) in recipes.sorted(by: { $0.key < $1.key }) where recipe.plant == plant {
            let rate = rates[Place(warehouse: plant, sku: sku)] ?? 0
            for line in recipe.lines {
                rates[Place(warehouse: plant, sku: line.sku), default: 0] += rate * Double(line.perUnit.micros) / 1e6
            }
        }
    }

    /// A replenishment rule sized from the place's rate: reorder at lead time plus `safety` days of demand, order
    /// `cover` days' worth (whole packs from suppliers that deliver in packs).
    func plan(
        _ place: Place, _ source: Replenishment.Source, cover: Double, safety: Double, minimum: Int = 1,
        weeklyOnly: Bool = false
    ) {
        let item = item(place.sku)
        let rate = rates[place] ?? 0
        let lead: Int
        switch source {
        case .supplier: lead = supplierLead(item)
        case .warehouse(_, let days): lead = days + 1
        case .production: lead = 3
        }
        let reorderPoint = max(minimum, Int((rate * (Double(lead) + safety)).rounded(.up)))
        // Suppliers and the warehouse staff move more than one or two units at a time, however slow the item.
        let lot: Int
        switch source {
        case .supplier: lot = 4
        case .warehouse: lot = 2
        case .production: lot = 1
        }
        var quantity = max(minimum, lot, Int((rate * cover).rounded(.up)))
        if case .supplier = source, let pack = item.receivePack, let size = item.packs[pack] {
            let packSize = max(1, Int(size.micros / Fixed.one))
            quantity = (quantity + packSize - 1) / packSize * packSize
        }
        addPolicy(
            place,
            Replenishment(
                source: source, reorderPoint: Quantity(reorderPoint), quantity: Quantity(quantity),
                weeklyOnly: weeklyOnly))
    }

    /// How many production orders a plant needs a day to keep up, with room to catch up.
    func sizeCapacity(_ plant: String) {
        var orders = 0.0
        for place in policyOrder where place.warehouse == plant {
            guard let policy = policies[place], case .production = policy.source else { continue }
            let rate = rates[place] ?? 0
            orders += rate / max(1, Double(policy.quantity.micros) / 1e6)
        }
        capacity[plant] = Int((orders * 1.6).rounded(.up)) + 2
    }
}

extension DemoBuilder {
    /// Raises the rules of a plant's components so that their stock covers at least one production order of each
    /// item made from them; otherwise slow movers would be bought in a hurry for nearly every order.
    func coverOrders(at plant: String) {
        for (sku, recipe) in recipes.sorted(by: { $0.key < $1.key }) where recipe.plant == plant {
            guard let production = policies[Place(warehouse: plant, sku: sku)] else { continue }
            let batch = production.reorderPoint + production.quantity
            for line in recipe.lines {
                let place = Place(warehouse: plant, sku: line.sku)
                guard var policy = policies[place] else { continue }
                let need = Self.wholeUnits(line.perUnit.times(batch))
                policy.reorderPoint = max(policy.reorderPoint, need)
                policy.quantity = max(policy.quantity, need)
                policies[place] = policy
            }
        }
    }
}
