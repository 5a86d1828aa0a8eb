public import Foundation
import GRDB
public import StocklineCore

extension SQLiteLedgerStore {
    public func journal(_ filter: JournalFilter) async throws -> [JournalEntry] {
        try await pool.read { db in
            let dated = filter.from != nil || filter.to != nil
            var arguments: [String: (any DatabaseValueConvertible)?] = [
                "company": filter.companyID?.rawValue ?? 0, "after": filter.afterPosting,
            ]
            if dated {
                arguments["from"] = filter.from?.timeIntervalSince1970 ?? -Double.greatestFiniteMagnitude
                arguments["to"] = filter.to?.timeIntervalSince1970 ?? Double.greatestFiniteMagnitude
            }
            let rows = try Row.fetchCursor(
                db, sql: AccountingSQL.journal(dated: dated), arguments: StatementArguments(arguments))
            var lines: [(postingID: Int64, key: String, kind: OperationKind, at: Date, line: JournalLine)] = []
            var postings = Set<Int64>()
            while let row = try rows.next() {
                let postingID: Int64 = row["posting_id"]
                if !postings.contains(postingID) {
                    guard postings.count < filter.limit else { break }
                    postings.insert(postingID)
                }
                let role = try stored(AccountRole.self, row["role"], in: "journal_line.role")
                lines.append(
                    (
                        postingID, row["key"], try stored(OperationKind.self, row["kind"], in: "posting.kind"),
                        Date(timeIntervalSince1970: row["at"]),
                        JournalLine(
                            companyID: CompanyID(row["company_id"]), itemID: ItemID(row["item_id"]),
                            warehouseID: (row["warehouse_id"] as Int64?).map(WarehouseID.init), role: role,
                            amount: Fixed(micros: row["amount"]))
                    ))
            }
            return JournalEntry.grouped(lines)
        }
    }

    public func accountMappings() async throws -> [AccountMapping] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM account_mapping ORDER BY company_id, category, role").map {
                row in
                let role = try stored(AccountRole.self, row["role"], in: "account_mapping.role")
                let category: String = row["category"]
                return AccountMapping(
                    companyID: CompanyID(row["company_id"]), category: category.isEmpty ? nil : category, role: role,
                    account: row["account"])
            }
        }
    }

    public func setAccountMapping(_ mapping: AccountMapping) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO account_mapping (company_id, category, role, account) VALUES (?, ?, ?, ?)
                    ON CONFLICT (company_id, category, role) DO UPDATE SET account = excluded.account
                    """,
                arguments: [
                    mapping.companyID.rawValue, mapping.category ?? "", mapping.role.rawValue, mapping.account,
                ])
        }
    }

    public func journalBalances(at: Date) async throws -> [JournalBalance] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: AccountingSQL.balancesAt, arguments: ["at": at.timeIntervalSince1970])
                .map { row in
                    let role = try stored(AccountRole.self, row["role"], in: "journal_line.role")
                    let warehouse: Int64 = row["warehouse_id"]
                    return JournalBalance(
                        companyID: CompanyID(row["company_id"]), itemID: ItemID(row["item_id"]),
                        warehouseID: warehouse == 0 ? nil : WarehouseID(warehouse), role: role,
                        amount: Fixed(micros: row["amount"]))
                }
        }
    }

    public func journalBalancesWithSequence() async throws -> (balances: [JournalBalance], sequence: Int64) {
        try await pool.read { db in
            var sequence: Int64 = 0
            let balances = try Row.fetchAll(db, sql: AccountingSQL.balancesWithSequence).map { row in
                sequence = row["sequence"]
                return JournalBalance(
                    companyID: CompanyID(row["company_id"]), itemID: ItemID(row["item_id"]), warehouseID: nil,
                    role: try stored(AccountRole.self, row["role"], in: "journal_line.role"),
                    amount: Fixed(micros: row["amount"]))
            }
            return (balances, sequence)
        }
    }

    public func quantities(at: Date) async throws -> [LocationQuantity] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: AccountingSQL.quantitiesAt, arguments: ["at": at.timeIntervalSince1970]).map {
                row in
                LocationQuantity(
                    itemID: ItemID(row["item_id"]), locationID: LocationID(row["location_id"]),
                    quantity: Fixed(micros: row["quantity"]))
            }
        }
    }

    public func openReceipts() async throws -> [OpenReceipt] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: AccountingSQL.openReceipts).map { row in
                OpenReceipt(
                    companyID: CompanyID(row["company_id"]), itemID: ItemID(row["item_id"]),
                    warehouseID: Self.scope(row["scope"], row["scope_warehouse_id"])?.warehouseID,
                    quantity: Fixed(micros: row["remaining_quantity"]), value: Fixed(micros: row["remaining_value"]),
                    figure: (row["figure"] as Int64?).map(Fixed.init(micros:)),
                    receivedAt: Date(timeIntervalSince1970: row["received_at"]))
            }
        }
    }

    public func reconciliation() async throws -> [AccountReconciliation] {
        try await pool.read { db in try Self.reconciliation(db) }
    }

    static func reconciliation(_ db: Database) throws -> [AccountReconciliation] {
        try Row.fetchAll(db, sql: AccountingSQL.reconciliation).map { row in
            let role = try stored(AccountRole.self, row["role"], in: "reconciliation.role")
            return AccountReconciliation(
                companyID: CompanyID(row["company_id"]), role: role, layered: Fixed(micros: row["layered"]),
                booked: Fixed(micros: row["booked"]), held: Fixed(micros: row["held"]))
        }
    }

    public func postingLog(after postingID: Int64, through: Date, limit: Int) async throws -> [RecordedPosting] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, key, fingerprint, created_at, actor, source, reason FROM posting
                    WHERE id > ? AND created_at <= ? ORDER BY id LIMIT ?
                    """, arguments: [postingID, through.timeIntervalSince1970, limit]
            ).map { row in
                RecordedPosting(
                    id: row["id"], key: row["key"], operation: try Self.decode(StockOperation.self, row["fingerprint"]),
                    at: Date(timeIntervalSince1970: row["created_at"]), actor: row["actor"], source: row["source"],
                    reason: row["reason"])
            }
        }
    }
}
