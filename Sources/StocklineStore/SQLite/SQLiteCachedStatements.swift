import GRDB
import StocklineCore
import Synchronization

/// The posting path's statements, compiled once per connection and reused: compiling SQL (parsing, authorizer
/// callbacks, region bookkeeping) cost more than running it. Only SQL with a fixed text may go through here.
extension Database {
    func executeCached(sql: String, arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}

extension Row {
    static func cachedAll(_ db: Database, sql: String, arguments: StatementArguments = StatementArguments()) throws
        -> [Row]
    {
        try fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
    }

    static func cachedOne(_ db: Database, sql: String, arguments: StatementArguments = StatementArguments()) throws
        -> Row?
    {
        try fetchOne(db.cachedStatement(sql: sql), arguments: arguments)
    }
}

extension DatabaseValueConvertible where Self: StatementColumnConvertible {
    static func cachedAll(_ db: Database, sql: String, arguments: StatementArguments = StatementArguments()) throws
        -> [Self]
    {
        try fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
    }

    static func cachedOne(_ db: Database, sql: String, arguments: StatementArguments = StatementArguments()) throws
        -> Self?
    {
        try fetchOne(db.cachedStatement(sql: sql), arguments: arguments)
    }
}

/// Items decoded from their stored JSON, keyed by that JSON: a posting loads its item every time, and decoding it
/// was a large share of the work. The same text always decodes to the same item, so the cache cannot go stale.
enum DecodedItems {
    private static let cache = Mutex<[String: Item]>([:])
    private static let limit = 20_000

    static func item(from data: String) throws -> Item {
        if let item = cache.withLock({ $0[data] }) { return item }
        let item = try SQLiteLedgerStore.decode(Item.self, data)
        cache.withLock { items in
            if items.count >= limit { items.removeAll(keepingCapacity: true) }
            items[data] = item
        }
        return item
    }
}
