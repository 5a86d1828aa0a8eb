public import Foundation

/// What the layers, the journal and the cost figures say one company's stock account holds; all three must agree.
public struct AccountReconciliation: Sendable, Hashable, Codable {
    public var companyID: CompanyID
    public var role: AccountRole
    public var layered: Money
    public var booked: Money
    public var held: Money

    public init(companyID: CompanyID, role: AccountRole, layered: Money, booked: Money, held: Money) {
        self.companyID = companyID
        self.role = role
        self.layered = layered
        self.booked = booked
        self.held = held
    }

    public var agrees: Bool { layered == booked && booked == held }
}

/// A journal balance up to some time: per company, item, warehouse (nil: company-wide) and account role.
public struct JournalBalance: Sendable, Hashable {
    public var companyID: CompanyID
    public var itemID: ItemID
    public var warehouseID: WarehouseID?
    public var role: AccountRole
    public var amount: Money

    public init(companyID: CompanyID, itemID: ItemID, warehouseID: WarehouseID?, role: AccountRole, amount: Money) {
        self.companyID = companyID
        self.itemID = itemID
        self.warehouseID = warehouseID
        self.role = role
        self.amount = amount
    }
}

/// An item's quantity at a location up to some time.
public struct LocationQuantity: Sendable, Hashable {
    public var itemID: ItemID
    public var locationID: LocationID
    public var quantity: Quantity

    public init(itemID: ItemID, locationID: LocationID, quantity: Quantity) {
        self.itemID = itemID
        self.locationID = locationID
        self.quantity = quantity
    }
}

/// Stock quantity and value as of a moment, per item and warehouse, with company totals per account.
///
/// Values come from the journal (what was booked up to then), quantities from the moves done up to then, so a
/// report for a past date answers what the ledger said on that date, later corrections excluded.
public struct ValuationReport: Sendable, Hashable, Codable {
    public struct Line: Sendable, Hashable, Codable {
        public var company: String
        public var warehouse: String?
        public var sku: String
        public var quantity: Quantity
        public var value: Money
    }

    public struct AccountTotal: Sendable, Hashable, Codable {
        public var company: String
        public var account: String
        public var role: AccountRole
        public var balance: Money

        public init(company: String, account: String, role: AccountRole, balance: Money) {
            self.company = company
            self.account = account
            self.role = role
            self.balance = balance
        }
    }

    public var at: Date
    /// Per item and warehouse (transit towards a warehouse counts for it); one line per item and company with
    /// `warehouse` nil for the company's whole stock.
    public var lines: [Line]
    public var accounts: [AccountTotal]

    public init(
        at: Date, catalog: Catalog, items: [ItemID: Item], chart: ChartOfAccounts, balances: [JournalBalance],
        quantities: [LocationQuantity]
    ) {
        self.at = at
        struct Key: Hashable, Comparable {
            var companyID: CompanyID
            var itemID: ItemID
            var warehouseID: WarehouseID?
            static func < (a: Key, b: Key) -> Bool {
                (a.companyID, a.itemID, a.warehouseID?.rawValue ?? 0) < (
                    b.companyID, b.itemID, b.warehouseID?.rawValue ?? 0
                )
            }
        }
        var transitOwner: [LocationID: WarehouseID] = [:]
        for warehouse in catalog.warehouses.values { transitOwner[warehouse.transitLocationID] = warehouse.id }
        var quantity: [Key: Quantity] = [:]
        for entry in quantities {
            guard let location = catalog.locations[entry.locationID] else { continue }
            let warehouseID: WarehouseID?
            if let owner = transitOwner[entry.locationID] {
                warehouseID = owner
            } else if location.isInternal {
                warehouseID = location.warehouseID
            } else {
                warehouseID = nil
            }
            guard let warehouseID, let warehouse = catalog.warehouses[warehouseID] else { continue }
            quantity[
                Key(companyID: warehouse.companyID, itemID: entry.itemID, warehouseID: warehouseID), default: .zero] +=
                entry.quantity
            quantity[Key(companyID: warehouse.companyID, itemID: entry.itemID, warehouseID: nil), default: .zero] +=
                entry.quantity
        }
        var value: [Key: Money] = [:]
        var accountTotals: [String: AccountTotal] = [:]
        for balance in balances {
            let category = items[balance.itemID]?.category
            let code = chart.account(balance.role, company: balance.companyID, category: category)
            let company = catalog.companies[balance.companyID]?.code ?? "\(balance.companyID)"
            accountTotals[
                "\(company)|\(code)|\(balance.role.rawValue)",
                default: AccountTotal(
                    company: company, account: code, role: balance.role, balance: .zero)
            ].balance += balance.amount
            guard balance.role.holdsStock else { continue }
            value[Key(companyID: balance.companyID, itemID: balance.itemID, warehouseID: nil), default: .zero] +=
                balance.amount
            if let warehouseID = balance.warehouseID {
                value[
                    Key(companyID: balance.companyID, itemID: balance.itemID, warehouseID: warehouseID), default: .zero] +=
                    balance.amount
            }
        }
        var lines: [Line] = []
        for key in Set(quantity.keys).union(value.keys).sorted() {
            guard let company = catalog.companies[key.companyID], let item = items[key.itemID] else { continue }
            let units = quantity[key] ?? .zero
            var worth = value[key] ?? .zero
            if key.warehouseID != nil, company.costing != .fifo {
                let whole = Key(companyID: key.companyID, itemID: key.itemID, warehouseID: nil)
                let companyUnits = quantity[whole] ?? .zero
                let companyValue = value[whole] ?? .zero
                worth = companyUnits.isZero ? .zero : companyValue.scaled(by: units, over: companyUnits)
            }
            if units.isZero && worth.isZero { continue }
            lines.append(
                Line(
                    company: company.code, warehouse: key.warehouseID.flatMap { catalog.warehouses[$0]?.code },
                    sku: item.sku, quantity: units, value: worth))
        }
        self.lines = lines
        self.accounts = accountTotals.values.filter { !$0.balance.isZero }
            .sorted { ($0.company, $0.account, $0.role) < ($1.company, $1.account, $1.role) }
    }
}

/// Units still in stock from one receipt, with when they were first received, for the aging report.
public struct OpenReceipt: Sendable, Hashable {
    public var companyID: CompanyID
    public var itemID: ItemID
    public var warehouseID: WarehouseID?
    public var quantity: Quantity
    /// What FIFO still carries on the layer.
    public var value: Money
    /// The company's average or standard unit cost, which values the units under those methods.
    public var figure: Money?
    public var receivedAt: Date

    public init(
        companyID: CompanyID, itemID: ItemID, warehouseID: WarehouseID?, quantity: Quantity, value: Money,
        figure: Money?, receivedAt: Date
    ) {
        self.figure = figure
        self.companyID = companyID
        self.itemID = itemID
        self.warehouseID = warehouseID
        self.quantity = quantity
        self.value = value
        self.receivedAt = receivedAt
    }
}

/// Stock value by the age of the receipts it came from, per company.
public struct AgingReport: Sendable, Hashable, Codable {
    public struct Bucket: Sendable, Hashable, Codable {
        public var company: String
        /// "0-30", "31-90", "91-180", "181-365", "over 365" days.
        public var age: String
        public var quantity: Quantity
        public var value: Money
    }

    public static let limits: [(Int, String)] = [(30, "0-30"), (90, "31-90"), (180, "91-180"), (365, "181-365")]

    public var at: Date
    public var buckets: [Bucket]

    public init(at: Date, receipts: [OpenReceipt], catalog: Catalog) {
        self.at = at
        var sums: [String: Bucket] = [:]
        for receipt in receipts {
            guard let company = catalog.companies[receipt.companyID] else { continue }
            let days = Int(at.timeIntervalSince(receipt.receivedAt) / 86_400)
            let age = Self.limits.first { days <= $0.0 }?.1 ?? "over 365"
            let value =
                company.costing == .fifo
                ? receipt.value
                : receipt.quantity.times(receipt.figure ?? .zero, places: 2)
            let key = "\(company.code)|\(age)"
            sums[key, default: Bucket(company: company.code, age: age, quantity: .zero, value: .zero)].quantity +=
                receipt.quantity
            sums[key]?.value += value
        }
        let order = Self.limits.map(\.1) + ["over 365"]
        buckets = sums.values.sorted {
            ($0.company, order.firstIndex(of: $0.age) ?? 0) < ($1.company, order.firstIndex(of: $1.age) ?? 0)
        }
    }
}
