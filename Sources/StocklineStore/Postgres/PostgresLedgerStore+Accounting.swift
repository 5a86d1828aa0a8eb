public import Foundation
import PostgresNIO
public import StocklineCore

extension PostgresLedgerStore {
    public func journal(_ filter: JournalFilter) async throws -> [JournalEntry] {
        try await transaction(.read) { db in
            let dated = filter.from != nil || filter.to != nil
            var arguments: [String: any PostgresEncodable & Sendable] = [
                "company": filter.companyID?.rawValue ?? 0, "after": filter.afterPosting,
            ]
            if dated {
                arguments["from"] = filter.from?.timeIntervalSince1970 ?? -Double.greatestFiniteMagnitude
                arguments["to"] = filter.to?.timeIntervalSince1970 ?? Double.greatestFiniteMagnitude
            }
            let rows = try await db.rows(try .named(AccountingSQL.journal(dated: dated), arguments))
            var lines: [(postingID: Int64, key: String, kind: OperationKind, at: Date, line: JournalLine)] = []
            var postings = Set<Int64>()
            for row in rows {
                let postingID: Int64 = try row.get("posting_id")
                if !postings.contains(postingID) {
                    guard postings.count < filter.limit else { break }
                    postings.insert(postingID)
                }
                let role = try stored(AccountRole.self, try row.get("role"), in: "journal_line.role")
                lines.append(
                    (
                        postingID, try row.get("key"),
                        try stored(OperationKind.self, try row.get("kind"), in: "posting.kind"),
                        Date(timeIntervalSince1970: try row.get("at")),
                        JournalLine(
                            companyID: CompanyID(try row.get("company_id")), itemID: ItemID(try row.get("item_id")),
                            warehouseID: (try row.get("warehouse_id", as: Int64?.self)).map(WarehouseID.init),
                            role: role, amount: Fixed(micros: try row.get("amount")))
                    ))
            }
            return JournalEntry.grouped(lines)
        }
    }

    public func accountMappings() async throws -> [AccountMapping] {
        try await transaction(.read) { db in
            try await db.rows("SELECT * FROM account_mapping ORDER BY company_id, category, role").map { row in
                let role = try stored(AccountRole.self, try row.get("role"), in: "account_mapping.role")
                let category: String = try row.get("category")
                return AccountMapping(
                    companyID: CompanyID(try row.get("company_id")), category: category.isEmpty ? nil : category,
                    role: role, account: try row.get("account"))
            }
        }
    }

    public func setAccountMapping(_ mapping: AccountMapping) async throws {
        try await transaction(.write) { db in
            try await db.execute(
                """
                INSERT INTO account_mapping (company_id, category, role, account)
                VALUES (\(mapping.companyID.rawValue), \(mapping.category ?? ""), \(mapping.role.rawValue),
                    \(mapping.account))
                ON CONFLICT (company_id, category, role) DO UPDATE SET account = excluded.account
                """)
        }
    }

    public func journalBalances(at: Date) async throws -> [JournalBalance] {
        try await transaction(.read) { db in
            try await db.rows(try .named(AccountingSQL.balancesAt, ["at": at.timeIntervalSince1970])).map {
                row in
                let role = try stored(AccountRole.self, try row.get("role"), in: "journal_line.role")
                let warehouse: Int64 = try row.get("warehouse_id")
                return JournalBalance(
                    companyID: CompanyID(try row.get("company_id")), itemID: ItemID(try row.get("item_id")),
                    warehouseID: warehouse == 0 ? nil : WarehouseID(warehouse), role: role,
                    amount: Fixed(micros: try row.get("amount")))
            }
        }
    }

    public func journalBalancesWithSequence() async throws -> (balances: [JournalBalance], sequence: Int64) {
        try await transaction(.read) { db in
            var sequence: Int64 = 0
            let balances = try await db.rows(PostgresQuery(unsafeSQL: AccountingSQL.balancesWithSequence)).map { row in
                sequence = try row.get("sequence")
                return JournalBalance(
                    companyID: CompanyID(try row.get("company_id")), itemID: ItemID(try row.get("item_id")),
                    warehouseID: nil, role: try stored(AccountRole.self, try row.get("role"), in: "journal_line.role"),
                    amount: Fixed(micros: try row.get("amount")))
            }
            return (balances, sequence)
        }
    }

    public func quantities(at: Date) async throws -> [LocationQuantity] {
        try await transaction(.read) { db in
            try await db.rows(try .named(AccountingSQL.quantitiesAt, ["at": at.timeIntervalSince1970])).map { row in
                LocationQuantity(
                    itemID: ItemID(try row.get("item_id")), locationID: LocationID(try row.get("location_id")),
                    quantity: Fixed(micros: try row.get("quantity")))
            }
        }
    }

    public func openReceipts() async throws -> [OpenReceipt] {
        try await transaction(.read) { db in
            try await db.rows(PostgresQuery(unsafeSQL: AccountingSQL.openReceipts)).map { row in
                OpenReceipt(
                    companyID: CompanyID(try row.get("company_id")), itemID: ItemID(try row.get("item_id")),
                    warehouseID: Self.scope(try row.get("scope"), try row.get("scope_warehouse_id"))?.warehouseID,
                    quantity: Fixed(micros: try row.get("remaining_quantity")),
                    value: Fixed(micros: try row.get("remaining_value")),
                    figure: (try row.get("figure", as: Int64?.self)).map(Fixed.init(micros:)),
                    receivedAt: Date(timeIntervalSince1970: try row.get("received_at")))
            }
        }
    }

    public func reconciliation() async throws -> [AccountReconciliation] {
        try await transaction(.read) { db in try await Self.reconciliation(db) }
    }

    static func reconciliation(_ db: PostgresSession) async throws -> [AccountReconciliation] {
        try await db.rows(PostgresQuery(unsafeSQL: AccountingSQL.reconciliation)).map { row in
            let role = try stored(AccountRole.self, try row.get("role"), in: "reconciliation.role")
            return AccountReconciliation(
                companyID: CompanyID(try row.get("company_id")), role: role,
                layered: Fixed(micros: try row.get("layered")), booked: Fixed(micros: try row.get("booked")),
                held: Fixed(micros: try row.get("held")))
        }
    }

    public func postingLog(after postingID: Int64, through: Date, limit: Int) async throws -> [RecordedPosting] {
        try await transaction(.read) { db in
            try await db.rows(
                """
                SELECT id, key, fingerprint, created_at, actor, source, reason FROM posting
                WHERE id > \(postingID) AND created_at <= \(through.timeIntervalSince1970) ORDER BY id LIMIT \(limit)
                """
            ).map { row in
                RecordedPosting(
                    id: try row.get("id"), key: try row.get("key"),
                    operation: try Self.decode(StockOperation.self, try row.get("fingerprint")),
                    at: Date(timeIntervalSince1970: try row.get("created_at")), actor: try row.get("actor"),
                    source: try row.get("source"), reason: try row.get("reason"))
            }
        }
    }
}

extension PostgresQuery {
    /// A query written with `:name` parameters (shared with the SQLite store), bound positionally.
    static func named(_ sql: String, _ values: [String: any PostgresEncodable & Sendable]) throws -> PostgresQuery {
        var text = ""
        var order: [String] = []
        var index = sql.startIndex
        while index < sql.endIndex {
            let character = sql[index]
            let next = sql.index(after: index)
            // `::type` is a cast, not a parameter: both colons are copied.
            if character == ":", next < sql.endIndex, sql[next] == ":" {
                text += "::"
                index = sql.index(after: next)
                continue
            }
            guard character == ":", next < sql.endIndex, sql[next].isLetter else {
                text.append(character)
                index = next
                continue
            }
            var end = next
            while end < sql.endIndex, sql[end].isLetter || sql[end] == "_" { end = sql.index(after: end) }
            let name = String(sql[next..<end])
            if !order.contains(name) { order.append(name) }
            text += "$\((order.firstIndex(of: name) ?? 0) + 1)"
            index = end
        }
        var bindings = PostgresBindings()
        for name in order {
            guard let value = values[name] else {
                throw StoreError.corrupt("the query names :\(name) but has no value for it")
            }
            try bindings.append(value)
        }
        return PostgresQuery(unsafeSQL: text, binds: bindings)
    }
}
