import PostgresNIO

/// One leased connection with the few query shapes the store needs: rows, one value, or nothing.
///
/// It lives only as long as the closure it is lent to (the pool takes the connection back afterwards), so it is never
/// stored or captured beyond that.
struct PostgresSession {
    let connection: PostgresConnection
    let logger: Logger

    /// Every row of the result, readable by column name.
    func rows(_ query: PostgresQuery, file: String = #fileID, line: Int = #line) async throws
        -> [PostgresRandomAccessRow]
    {
        try await connection.query(query, logger: logger, file: file, line: line).collect().map {
            $0.makeRandomAccess()
        }
    }

    /// The first column of the first row, or nil when there is no row (or the value is NULL).
    func value<Value: PostgresDecodable>(
        _ query: PostgresQuery, as type: Value.Type = Value.self, file: String = #fileID, line: Int = #line
    ) async throws -> Value? {
        guard let row = try await rows(query, file: file, line: line).first, row.count > 0, row[0].bytes != nil else {
            return nil
        }
        return try row[0].decode(Value.self)
    }

    /// The first column of every row.
    func values<Value: PostgresDecodable>(
        _ query: PostgresQuery, as type: Value.Type = Value.self, file: String = #fileID, line: Int = #line
    ) async throws -> [Value] {
        try await rows(query, file: file, line: line).map { try $0[0].decode(Value.self) }
    }

    /// Every row of a prepared statement's result: the server parses and plans it once per connection.
    func rows<Statement: PostgresPreparedStatement>(prepared statement: Statement) async throws
        -> [PostgresRandomAccessRow] where Statement.Row == PostgresRow
    {
        var rows: [PostgresRandomAccessRow] = []
        for try await row in try await connection.execute(statement, logger: logger) {
            rows.append(row.makeRandomAccess())
        }
        return rows
    }

    /// Runs a statement whose result does not matter.
    func execute(_ query: PostgresQuery, file: String = #fileID, line: Int = #line) async throws {
        _ = try await connection.query(query, logger: logger, file: file, line: line).collect()
    }
}

extension PostgresRandomAccessRow {
    /// The value of a column, decoded as the type the caller expects.
    func get<Value: PostgresDecodable>(_ column: String, as type: Value.Type = Value.self) throws -> Value {
        try self[column].decode(Value.self)
    }
}

extension PSQLError {
    /// The SQLSTATE the server answered with, when the error came from the server.
    var sqlState: String? { serverInfo?[.sqlState] }

    /// The constraint a violation was about.
    var constraint: String? { serverInfo?[.constraintName] }
}
