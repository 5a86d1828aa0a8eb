public import StocklineCore

/// Every account's balance, kept current from the changes feed: summed from the whole journal once, then moved
/// forward by the journal lines of the postings whose events came after, so a dashboard does not read every line on
/// every change.
///
/// Exact because the first sum and its event sequence come from one statement, every posting writes its journal
/// lines and its one `posting.*` event in the same transaction, and events are numbered in commit order.
public actor AccountBalances {
    private let inventory: Inventory
    private var totals: [String: ValuationReport.AccountTotal] = [:]
    private var sequence: Int64 = -1
    private var chart = ""

    public init(inventory: Inventory) { self.inventory = inventory }

    /// The balances as of the newest event, sorted by company, account and role; zero balances left out.
    public func current() async throws -> [ValuationReport.AccountTotal] {
        let chart = try await inventory.chartOfAccountsKey()
        if chart != self.chart || sequence < 0 {
            let (accounts, sequence) = try await inventory.accountBalancesWithSequence()
            totals = Dictionary(accounts.map { (Self.key($0.company, $0.account, $0.role), $0) }) { first, _ in first }
            self.sequence = sequence
            self.chart = chart
        }
        try await moveForward()
        return totals.values.filter { !$0.balance.isZero }
            .sorted { ($0.company, $0.account, $0.role) < ($1.company, $1.account, $1.role) }
    }

    private func moveForward() async throws {
        var postings: [String: Int64] = [:]
        while true {
            let events = try await inventory.events(after: sequence, limit: 1_000)
            guard let last = events.last else { break }
            for event in events where event.type.hasPrefix("posting.") {
                if let id = event.payload["posting"].flatMap({ Int64($0) }) { postings[event.subject] = id }
            }
            sequence = last.sequence
        }
        guard let first = postings.values.min(), let newest = postings.values.max() else { return }
        // Posting ids may commit out of order across instances: read from the smallest and keep only these postings.
        var cursor = first - 1
        while cursor < newest {
            let page = try await inventory.journal(afterPosting: cursor, limit: 1_000)
            for line in page.lines where postings[line.posting] != nil {
                totals[
                    Self.key(line.company, line.account, line.role),
                    default: .init(company: line.company, account: line.account, role: line.role, balance: .zero)
                ].balance += line.debit - line.credit
            }
            guard let last = page.lastPosting else { break }
            cursor = last
        }
    }

    private static func key(_ company: String, _ account: String, _ role: AccountRole) -> String {
        "\(company)|\(account)|\(role.rawValue)"
    }
}
