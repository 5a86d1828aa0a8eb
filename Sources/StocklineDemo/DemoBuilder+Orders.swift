import Foundation
import StocklineCore

/// The orders still open when the demo year ends: what buyers, customer service and planners work on.
///
/// Purchase orders go out over the last ten business days, so by the last day some are late and some carry an ASN;
/// on the last day, after the day's flows, customers order more than is free (backorders) and plants are asked for
/// more kits than their components allow (shortfalls). None of it is received, shipped or produced, so the
/// year's own flows are untouched.
extension DemoBuilder {
    /// The customers orders are taken from, one set per sales outlet.
    var customers: [String] {
        Set(outlets.flatMap { outlet in (1...4).map { "\(outlet.orderPrefix)-C\($0)" } }).sorted()
    }

    /// Purchase orders of `day`, one of the last `remaining + 1` business days.
    func placePurchaseOrders(on day: DemoDay, remaining: Int) {
        let bought = policyOrder.filter { place in
            if case .supplier = policies[place]?.source { true } else { false }
        }
        guard !bought.isEmpty else { return }
        let perDay = max(1, bought.count / 60)
        let bySupplier = Dictionary(grouping: bought) { item($0.sku).supplier }
        for _ in 0..<perDay {
            let first = bought[random.int(0...(bought.count - 1))]
            let supplier = item(first.sku).supplier
            let mates = (bySupplier[supplier] ?? []).filter { $0.warehouse == first.warehouse && $0 != first }
            let places = [first] + mates.prefix(random.int(0...2))
            orderSequence += 1
            let id = "PO-\(company)-\(10_000 + orderSequence)"
            let lines = places.map { place in
                StockOperation.PurchaseLine(
                    sku: place.sku, qty: policies[place]?.quantity ?? lineQuantity(item(place.sku), factor: 10))
            }
            poster.post(
                .purchaseOrder(.init(supplier: supplier, at: first.warehouse, lines: lines)), actor: "buyer",
                source: "erp", key: id)
            // A third of the orders placed early get an ASN two days later for half their first line.
            if remaining >= 4, random.chance(33), let line = lines.first {
                let half = Quantity(max(1, Int(line.qty.micros / Fixed.one) / 2))
                let expected = Day.text(Day.adding(random.int(3...6), to: day.morning))
                schedule(after: 2) { [self] in
                    poster.post(
                        .asn(.init(po: id, expected: expected, lines: [.init(sku: line.sku, qty: half)])),
                        actor: "supplier-portal", source: "edi")
                }
            }
        }
    }

    /// Sales orders of the last day: for some fast movers, more than is free, so part is backordered.
    func takeBackorders(on day: DemoDay) {
        let customers = customers
        for outlet in outlets where !outlet.hot.isEmpty {
            for sku in outlet.hot.prefix(3) {
                let free = stock.available(Place(warehouse: outlet.warehouse, sku: sku))
                let extra = lineQuantity(item(sku), factor: 3)
                orderSequence += 1
                poster.post(
                    .salesOrder(
                        .init(
                            customer: customers[random.int(0...(customers.count - 1))], at: outlet.warehouse,
                            lines: [.init(sku: sku, qty: free.isPositive ? free + extra : extra)],
                            requested: Day.text(Day.adding(2, to: day.morning)))),
                    actor: "customer-service", source: "crm", key: "SO-\(company)-\(20_000 + orderSequence)")
                _ = stock.take(free, from: Place(warehouse: outlet.warehouse, sku: sku))
            }
        }
    }

    /// Production orders of the last day: kits wanted beyond what the scarcest component allows.
    func orderShortKits(on day: DemoDay) {
        for (sku, recipe) in recipes.sorted(by: { $0.key < $1.key }).prefix(4) {
            let buildable =
                recipe.lines.map { line in
                    stock.available(Place(warehouse: recipe.plant, sku: line.sku)).micros / max(1, line.perUnit.micros)
                }.min() ?? 0
            orderSequence += 1
            poster.post(
                .productionOrder(
                    .init(
                        sku: sku, qty: Quantity(Int(buildable) + random.int(2...6)), at: recipe.plant,
                        due: Day.text(Day.adding(3, to: day.morning)))),
                actor: "planner", source: "mes", key: "MO-\(company)-\(30_000 + orderSequence)")
        }
    }
}
