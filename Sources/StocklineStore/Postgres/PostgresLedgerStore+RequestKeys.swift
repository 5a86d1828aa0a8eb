import Foundation
import PostgresNIO

extension PostgresLedgerStore {
    public func requestKey(_ key: String) async throws -> RequestKeyRecord? {
        try await transaction(.read) { db in try await Self.requestKey(key, db: db) }
    }

    public func saveRequestKey(_ record: RequestKeyRecord) async throws -> RequestKeyRecord {
        try await transaction(.write) { db in
            try await db.execute(
                """
                INSERT INTO request_key (key, fingerprint, response, created_at)
                VALUES (\(record.key), \(record.fingerprint), \(record.response), \(record.createdAt.timeIntervalSince1970))
                ON CONFLICT (key) DO NOTHING
                """)
            guard let stored = try await Self.requestKey(record.key, db: db) else {
                throw StoreError.corrupt("request_key \(record.key) was written but cannot be read")
            }
            return stored
        }
    }

    static func requestKey(_ key: String, db: PostgresSession) async throws -> RequestKeyRecord? {
        guard let row = try await db.rows("SELECT * FROM request_key WHERE key = \(key)").first else { return nil }
        return RequestKeyRecord(
            key: try row.get("key"), fingerprint: try row.get("fingerprint"), response: try row.get("response"),
            createdAt: Date(timeIntervalSince1970: try row.get("created_at")))
    }
}
