/// Failures particular to the PostgreSQL store: its address, its schema, and the database itself.
///
/// Refusals of the ledger are still `StockError`s and the shared store failures `StoreError`s; these are what only a
/// server-backed store can run into, worded for the operator who has to fix them.
public enum PostgresStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The database URL cannot be used; `url` is shown without its password.
    case invalidURL(url: String, reason: String)
    /// Schema names are restricted to lower-case letters, digits and underscores, so they never need quoting.
    case invalidSchema(String)
    /// Dropping is for throwaway schemas (tests, scenario runs); `public` is never dropped.
    case protectedSchema(String)
    /// A posting needed more move, layer or lot ids than one block holds.
    case rowBlockExhausted(key: String, used: Int64, limit: Int64)
    /// The server refused a statement or could not be reached; `state` is the SQLSTATE when the server answered.
    case database(state: String?, message: String)

    public var description: String {
        switch self {
        case .invalidURL(let url, let reason): "cannot use the PostgreSQL URL \(url): \(reason)"
        case .invalidSchema(let name):
            "'\(name)' is not a usable schema name: use 1 to 63 lower-case letters, digits and underscores, "
                + "starting with a letter or underscore"
        case .protectedSchema(let name): "the schema \(name) is not a throwaway schema and is never dropped"
        case .rowBlockExhausted(let key, let used, let limit):
            "posting \(key) needs \(used) row ids, more than the \(limit) one posting may use; split it"
        case .database(let state?, let message): "PostgreSQL refused (SQLSTATE \(state)): \(message)"
        case .database(nil, let message): "PostgreSQL: \(message)"
        }
    }
}
