public import Foundation
public import StocklineCore
import StocklineStore

/// One journal line as a general ledger imports it: codes instead of ids, debit and credit apart.
public struct JournalExportLine: Sendable, Hashable, Codable {
    public var posting: String
    public var kind: OperationKind
    public var date: Date
    public var company: String
    public var account: String
    public var role: AccountRole
    public var sku: String
    public var warehouse: String?
    public var debit: Money
    public var credit: Money
}

/// A page of journal entries as codes, with the posting id to continue after.
public struct JournalPage: Sendable, Hashable {
    public var lines: [JournalExportLine]
    public var lastPosting: Int64?
}

extension Inventory {
    /// Journal entries in posting order, resolved to account codes through each company's chart.
    public func journal(
        from: Date? = nil, to: Date? = nil, company: String? = nil, afterPosting: Int64 = 0, limit: Int = 1000
    ) async throws -> JournalPage {
        let catalog = try await catalog()
        var companyID: CompanyID?
        if let company {
            guard let found = catalog.company(code: company) else { throw StockError.unknownCompany(company) }
            companyID = found.id
        }
        let entries = try await store.journal(
            JournalFilter(from: from, to: to, companyID: companyID, afterPosting: afterPosting, limit: limit))
        let chart = ChartOfAccounts(try await store.accountMappings())
        let items = try await itemsByID(Set(entries.flatMap { $0.lines.map(\.itemID) }))
        let lines = entries.flatMap { entry in
            entry.lines.map { line in
                JournalExportLine(
                    posting: entry.postingKey, kind: entry.kind, date: entry.at,
                    company: catalog.companies[line.companyID]?.code ?? "\(line.companyID)",
                    account: chart.account(line.role, company: line.companyID, category: items[line.itemID]?.category),
                    role: line.role, sku: items[line.itemID]?.sku ?? "\(line.itemID)",
                    warehouse: line.warehouseID.flatMap { catalog.warehouses[$0]?.code }, debit: line.debit,
                    credit: line.credit)
            }
        }
        return JournalPage(lines: lines, lastPosting: entries.last?.postingID)
    }

    /// Stock quantity and value per item, warehouse and company, and balances per account, as of `at`.
    public func valuation(at: Date) async throws -> ValuationReport {
        let catalog = try await catalog()
        let balances = try await store.journalBalances(at: at)
        let quantities = try await store.quantities(at: at)
        let items = try await itemsByID(Set(balances.map(\.itemID) + quantities.map(\.itemID)))
        return ValuationReport(
            at: at, catalog: catalog, items: items, chart: ChartOfAccounts(try await store.accountMappings()),
            balances: balances, quantities: quantities)
    }

    /// A text that changes whenever the chart of accounts does: what caches of account figures are keyed by.
    public func chartOfAccountsKey() async throws -> String { "\(try await store.accountMappings())" }

    /// Every account's balance over the whole journal, and the event sequence it stands at: a reader can bring the
    /// balances forward from the changes feed (``AccountBalances``) instead of summing the journal again.
    public func accountBalancesWithSequence() async throws -> (
        accounts: [ValuationReport.AccountTotal], sequence: Int64
    ) {
        let (balances, sequence) = try await store.journalBalancesWithSequence()
        let accounts = ValuationReport(
            at: environment.now(), catalog: try await catalog(),
            items: try await itemsByID(Set(balances.map(\.itemID))),
            chart: ChartOfAccounts(try await store.accountMappings()), balances: balances, quantities: []
        ).accounts
        return (accounts, sequence)
    }

    /// Stock value by the age of the receipts its units came from, as of `at`.
    public func aging(at: Date) async throws -> AgingReport {
        AgingReport(at: at, receipts: try await store.openReceipts(), catalog: try await catalog())
    }

    /// Per company and stock account: layers, journal and stock figures, which `verify` requires to agree.
    public func reconciliation() async throws -> [(company: String, account: String, row: AccountReconciliation)] {
        let catalog = try await catalog()
        let chart = ChartOfAccounts(try await store.accountMappings())
        return try await store.reconciliation().map { row in
            (
                catalog.companies[row.companyID]?.code ?? "\(row.companyID)",
                chart.account(row.role, company: row.companyID, category: nil), row
            )
        }
    }

    /// Maps an account role to a code for a company (and optionally only for one item category).
    public func setAccount(_ role: AccountRole, to account: String, company: String, category: String? = nil)
        async throws -> AccountMapping
    {
        guard let owner = try await catalog().company(code: company) else { throw StockError.unknownCompany(company) }
        let code = account.trimmingCharacters(in: .whitespaces)
        guard !code.isEmpty, code.count <= 64, !code.contains(where: \.isNewline) else {
            throw StockError.validationFailed(field: "account", reason: "an account code is 1 to 64 characters")
        }
        if let category, category.isEmpty || category.count > 64 {
            throw StockError.validationFailed(field: "category", reason: "a category is 1 to 64 characters")
        }
        let mapping = AccountMapping(companyID: owner.id, category: category, role: role, account: code)
        try await store.setAccountMapping(mapping)
        return mapping
    }

    /// Every company's chart: each role's code for the company, then the category overrides.
    public func accounts() async throws -> [(company: String, category: String?, role: AccountRole, account: String)] {
        let catalog = try await catalog()
        let mappings = try await store.accountMappings()
        let chart = ChartOfAccounts(mappings)
        var rows: [(company: String, category: String?, role: AccountRole, account: String)] = []
        for company in catalog.companies.values.sorted(by: { $0.code < $1.code }) {
            for role in AccountRole.allCases {
                rows.append((company.code, nil, role, chart.account(role, company: company.id, category: nil)))
            }
            for mapping in mappings where mapping.companyID == company.id && mapping.category != nil {
                rows.append((company.code, mapping.category, mapping.role, mapping.account))
            }
        }
        return rows
    }

    private func itemsByID(_ ids: Set<ItemID>) async throws -> [ItemID: Item] {
        guard !ids.isEmpty else { return [:] }
        return Dictionary(try await store.items(ids: ids.sorted()).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }
}
