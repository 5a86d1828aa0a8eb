import Foundation
import GRDB

extension SQLiteLedgerStore {
    public func requestKey(_ key: String) async throws -> RequestKeyRecord? {
        try await pool.read { db in try Self.requestKey(key, db: db) }
    }

    public func saveRequestKey(_ record: RequestKeyRecord) async throws -> RequestKeyRecord {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO request_key (key, fingerprint, response, created_at) VALUES (?, ?, ?, ?) "
                    + "ON CONFLICT (key) DO NOTHING",
                arguments: [record.key, record.fingerprint, record.response, record.createdAt.timeIntervalSince1970])
            guard let stored = try Self.requestKey(record.key, db: db) else {
                throw StoreError.corrupt("request_key \(record.key) was written but cannot be read")
            }
            return stored
        }
    }

    static func requestKey(_ key: String, db: Database) throws -> RequestKeyRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM request_key WHERE key = ?", arguments: [key]).map { row in
            RequestKeyRecord(
                key: row["key"], fingerprint: row["fingerprint"], response: row["response"],
                createdAt: Date(timeIntervalSince1970: row["created_at"]))
        }
    }
}
