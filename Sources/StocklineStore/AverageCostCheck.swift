import StocklineCore

/// The check of `verify` that an average-cost item's warehouses, each valued at its quantity times the company's
/// figure, add up to the value the company's postings left, within the rounding the method allows.
///
/// Both stores run the same query and hand its rows here, so the arithmetic is the one positions use.
enum AverageCostCheck {
    /// One row per cost scope of an average-cost item (a company without scopes gives one row, `scopeQuantity` nil).
    static let query = """
        WITH reset AS (
            SELECT item_id, company_id, max(id) AS last FROM valuation_layer
            WHERE kind IN ('in', 'landed_cost', 'revaluation') GROUP BY item_id, company_id),
        layer AS (
            SELECT v.item_id, v.company_id, CAST(sum(v.short_quantity) AS BIGINT) AS short_quantity,
                CAST(sum(v.short_value) AS BIGINT) AS short_value,
                CAST(sum(CASE WHEN v.kind = 'out' AND v.id > coalesce(r.last, 0) THEN 1 ELSE 0 END) AS BIGINT) AS issues
            FROM valuation_layer v JOIN company c ON c.id = v.company_id AND c.costing = 'average'
            LEFT JOIN reset r ON r.item_id = v.item_id AND r.company_id = v.company_id
            GROUP BY v.item_id, v.company_id)
        SELECT i.sku, c.code, k.item_id, k.company_id, k.quantity, k.value, k.unit_cost,
            s.quantity AS scope_quantity, coalesce(l.short_quantity, 0) AS short_quantity,
            coalesce(l.short_value, 0) AS short_value, coalesce(l.issues, 0) AS issues
        FROM cost k JOIN company c ON c.id = k.company_id JOIN item i ON i.id = k.item_id
        LEFT JOIN cost s ON s.item_id = k.item_id AND s.company_id = k.company_id AND s.scope != 'company'
        LEFT JOIN layer l ON l.item_id = k.item_id AND l.company_id = k.company_id
        WHERE c.costing = 'average' AND k.scope = 'company'
        ORDER BY k.item_id, k.company_id
        """

    struct Row: Sendable {
        var sku: String
        var company: String
        var itemID: Int64
        var companyID: Int64
        var quantity: Quantity
        var value: Money
        var unitCost: Money?
        var scopeQuantity: Quantity?
        /// Units shipped below zero and not yet filled, and their estimated value.
        var shortQuantity: Quantity
        var shortValue: Money
        /// Outgoing postings since the figure was last set from the value (each rounds by up to half a cent).
        var issues: Int64
    }

    static func problems(_ rows: [Row]) -> [String] {
        var problems: [String] = []
        var start = rows.startIndex
        while start < rows.endIndex {
            let first = rows[start]
            let end = rows[start...].firstIndex { $0.itemID != first.itemID || $0.companyID != first.companyID }
            let scopes = rows[start..<(end ?? rows.endIndex)].compactMap(\.scopeQuantity)
            start = end ?? rows.endIndex
            if let problem = problem(first, scopes: scopes) { problems.append(problem) }
        }
        return problems
    }

    private static func problem(_ row: Row, scopes: [Quantity]) -> String? {
        let name = "\(row.sku) in \(row.company)"
        guard let unitCost = row.unitCost else {
            guard row.value.isZero else {
                return "valuation: \(name) holds \(row.quantity) units at average cost but has no unit cost, so its "
                    + "warehouses are worth nothing while its postings leave \(row.value)"
            }
            return nil
        }
        let spread = scopes.reduce(Money.zero) { $0 + $1.times(unitCost, places: 2) }
        // Units still short keep their estimate while the figure moves on (scenarios.md); each scope and each
        // outgoing posting since the figure was set may round by half a cent.
        let estimates = (row.shortQuantity.times(unitCost, places: 2) - row.shortValue).magnitude
        // The figure itself is kept to 6 decimals: half a millionth per unit.
        let rounding = Fixed(micros: 5_000 * (Int64(scopes.count) + row.issues + 2))
        let figure = Fixed(micros: row.quantity.magnitude.micros / 2_000_000 + 1)
        guard (spread - row.value).magnitude > estimates + rounding + figure else { return nil }
        return "valuation: \(name) is worth \(spread) over its warehouses (their quantities at the average "
            + "\(unitCost)) but its postings leave \(row.value)"
    }
}
