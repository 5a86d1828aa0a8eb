public import Foundation

/// One side of a value change: an account role's debit (positive) or credit (negative) for an item.
public struct JournalLine: Sendable, Hashable, Codable {
    public var companyID: CompanyID
    public var itemID: ItemID
    /// The warehouse whose stock (or inbound transit) the line values; nil for company-wide value.
    public var warehouseID: WarehouseID?
    public var role: AccountRole
    /// Signed: a debit is positive, a credit negative.
    public var amount: Money

    public init(companyID: CompanyID, itemID: ItemID, warehouseID: WarehouseID?, role: AccountRole, amount: Money) {
        self.companyID = companyID
        self.itemID = itemID
        self.warehouseID = warehouseID
        self.role = role
        self.amount = amount
    }

    public var debit: Money { amount.isPositive ? amount : .zero }
    public var credit: Money { amount.isNegative ? -amount : .zero }
}

/// The balanced entry a posting makes in one company's books.
public struct JournalEntry: Sendable, Hashable, Codable {
    public var postingID: Int64
    public var postingKey: String
    public var kind: OperationKind
    public var companyID: CompanyID
    public var at: Date
    public var lines: [JournalLine]

    public init(
        postingID: Int64, postingKey: String, kind: OperationKind, companyID: CompanyID, at: Date,
        lines: [JournalLine]
    ) {
        self.postingID = postingID
        self.postingKey = postingKey
        self.kind = kind
        self.companyID = companyID
        self.at = at
        self.lines = lines
    }

    public var balance: Money { lines.reduce(Money.zero) { $0 + $1.amount } }
}

extension JournalLine {
    /// Lines netted per company, item, warehouse and role, zero lines dropped, in a stable order.
    public static func netted(_ lines: [JournalLine]) -> [JournalLine] {
        struct Key: Hashable {
            var companyID: CompanyID
            var itemID: ItemID
            var warehouseID: WarehouseID?
            var role: AccountRole
        }
        var sums: [Key: Money] = [:]
        var order: [Key] = []
        for line in lines {
            let key = Key(
                companyID: line.companyID, itemID: line.itemID, warehouseID: line.warehouseID, role: line.role)
            if sums[key] == nil { order.append(key) }
            sums[key, default: .zero] += line.amount
        }
        return order.compactMap { key in
            guard let amount = sums[key], !amount.isZero else { return nil }
            return JournalLine(
                companyID: key.companyID, itemID: key.itemID, warehouseID: key.warehouseID, role: key.role,
                amount: amount)
        }
    }

    /// The two sides of a valuation layer: its stock account and the account the value came from or went to.
    ///
    /// A layer without a counterpart moves value inside the company's stock (a transfer leg); its other leg is
    /// another layer of the same posting.
    public static func sides(of layer: ValuationLayer) -> [JournalLine] {
        guard !layer.value.isZero else { return [] }
        let stock = JournalLine(
            companyID: layer.companyID, itemID: layer.itemID, warehouseID: layer.scope.warehouseID,
            role: layer.scope.isTransit ? .transit : .stockValuation, amount: layer.value)
        guard let counterpart = layer.account else { return [stock] }
        return [
            stock,
            JournalLine(
                companyID: layer.companyID, itemID: layer.itemID, warehouseID: layer.scope.warehouseID,
                role: counterpart,
                amount: -layer.value),
        ]
    }
}

/// Which journal entries to read: a time window, one company, and a page after a posting id.
public struct JournalFilter: Sendable, Hashable {
    public var from: Date?
    public var to: Date?
    public var companyID: CompanyID?
    public var afterPosting: Int64
    public var limit: Int

    public init(
        from: Date? = nil, to: Date? = nil, companyID: CompanyID? = nil, afterPosting: Int64 = 0, limit: Int = 1000
    ) {
        self.from = from
        self.to = to
        self.companyID = companyID
        self.afterPosting = afterPosting
        self.limit = limit
    }
}

extension JournalEntry {
    /// Groups lines read in posting order into entries, one per posting and company.
    public static func grouped(
        _ rows: [(postingID: Int64, key: String, kind: OperationKind, at: Date, line: JournalLine)]
    ) -> [JournalEntry] {
        var entries: [JournalEntry] = []
        for row in rows {
            if let last = entries.last, last.postingID == row.postingID, last.companyID == row.line.companyID {
                entries[entries.count - 1].lines.append(row.line)
            } else if let index = entries.lastIndex(where: {
                $0.postingID == row.postingID && $0.companyID == row.line.companyID
            }) {
                entries[index].lines.append(row.line)
            } else {
                entries.append(
                    JournalEntry(
                        postingID: row.postingID, postingKey: row.key, kind: row.kind, companyID: row.line.companyID,
                        at: row.at, lines: [row.line]))
            }
        }
        return entries
    }
}
