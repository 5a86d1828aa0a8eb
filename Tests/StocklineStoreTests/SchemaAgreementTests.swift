import Foundation
import GRDB
import PostgresNIO
import Stockline
import StocklineCore
import StocklineTestSupport
import Testing

@testable import StocklineStore

/// The schema is written twice, once per store's migrations, and described a third time by `store copy`'s table
/// list: this test holds the three to one set of tables and columns, so a column added to one place only fails.
@Suite("schema: both stores and store copy agree on every table and column")
struct SchemaAgreementTests {
    /// Columns of both stores that `store copy` leaves out, and why.
    static let notCopied: Set<String> = [
        // Counters are recomputed from the copied rows (events, catalog) after a copy.
        "counter.name", "counter.value",
    ]

    @Test("the same columns in SQLite, in PostgreSQL and in store copy's table list")
    func columnsAgree() async throws {
        let ledger = try await TemporaryLedger.make()
        defer { ledger.remove() }
        guard let sqlite = ledger.inventory.store as? SQLiteLedgerStore else {
            Issue.record("the temporary ledger is not SQLite")
            return
        }
        var sqliteColumns = try await sqlite.pool.read { db in
            var columns = Set<String>()
            let tables = try String.fetchAll(
                db,
                sql: """
                    SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                        AND name != 'grdb_migrations'
                    """)
            for table in tables {
                for column in try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))") {
                    columns.insert("\(table).\(column["name"] as String)")
                }
            }
            return columns
        }
        // SQLite's implicit rowid is `layer_use`'s id.
        sqliteColumns.insert("layer_use.id")

        let postgres = try await StoreKind.postgresStore()
        let postgresColumns = try await postgres.transaction(.read) { db in
            Set(
                try await db.rows(
                    """
                    SELECT table_name, column_name FROM information_schema.columns
                    WHERE table_schema = \(postgres.schema) AND table_name != 'stockline_migration'
                    """
                ).map { "\(try $0.get("table_name", as: String.self)).\(try $0.get("column_name", as: String.self))" })
        }
        await PostgresCluster.remove(postgres)

        #expect(
            sqliteColumns == postgresColumns,
            """
            only in SQLite: \(sqliteColumns.subtracting(postgresColumns).sorted()); \
            only in PostgreSQL: \(postgresColumns.subtracting(sqliteColumns).sorted())
            """)
        let copied = Set(StoreCopy.tables.flatMap { table in table.columns.map { "\(table.name).\($0.name)" } })
        let stored = sqliteColumns.subtracting(Self.notCopied)
        #expect(
            copied == stored,
            """
            store copy misses \(stored.subtracting(copied).sorted()); \
            store copy names what no store has: \(copied.subtracting(stored).sorted())
            """)
    }

    @Test("the shipped accounting migration's frozen accounts are today's: a change needs a migration of its own")
    func frozenAccountsAreCurrent() {
        let frozen = AccountingSQL.accountOfPostingKind.replacingOccurrences(of: "\\\n", with: "")
        for kind in OperationKind.allCases {
            let clause = "WHEN '\(kind.rawValue)' THEN"
            if let account = kind.counterpartAccount {
                #expect(frozen.contains("\(clause) '\(account.rawValue)'"), "\(kind.rawValue) books to \(account)")
            } else {
                #expect(!frozen.contains(clause), "\(kind.rawValue) books to no account")
            }
        }
    }
}
