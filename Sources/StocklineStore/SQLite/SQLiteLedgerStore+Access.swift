public import Foundation
import GRDB
public import StocklineCore

extension SQLiteLedgerStore {
    public func addToken(name: String, hash: String, role: Role, warehouse: String?, at: Date) async throws -> APIToken
    {
        try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM api_token WHERE name = ?", arguments: [name]) == nil else {
                throw StockError.duplicate(kind: "token", code: name)
            }
            try db.execute(
                sql: "INSERT INTO api_token (name, hash, role, warehouse, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [name, hash, role.rawValue, warehouse, at.timeIntervalSince1970])
            return APIToken(
                id: db.lastInsertedRowID, name: name, hash: hash, role: role, warehouse: warehouse, createdAt: at)
        }
    }

    public func token(hash: String) async throws -> APIToken? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM api_token WHERE hash = ?", arguments: [hash]).map(Self.token)
        }
    }

    public func tokens() async throws -> [APIToken] {
        try await pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM api_token ORDER BY id").map(Self.token) }
    }

    static func token(_ row: Row) throws -> APIToken {
        APIToken(
            id: row["id"], name: row["name"], hash: row["hash"],
            role: try stored(Role.self, row["role"], in: "api_token.role"),
            warehouse: row["warehouse"], createdAt: Date(timeIntervalSince1970: row["created_at"]))
    }

    public func audit(_ filter: AuditFilter) async throws -> [AuditEntry] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT p.*, i.sku FROM posting p LEFT JOIN item i ON i.id = p.item_id
                    WHERE (? IS NULL OR i.sku = ?) AND (? IS NULL OR p.actor = ?) AND (? IS NULL OR p.created_at >= ?)
                        AND (? IS NULL OR p.created_at < ?)
                    ORDER BY p.id DESC LIMIT ?
                    """,
                arguments: [
                    filter.sku, filter.sku, filter.actor, filter.actor, filter.from?.timeIntervalSince1970,
                    filter.from?.timeIntervalSince1970, filter.to?.timeIntervalSince1970,
                    filter.to?.timeIntervalSince1970, max(1, min(filter.limit, 1000)),
                ]
            ).map { row in
                AuditEntry(
                    posting: row["id"], key: row["key"],
                    kind: try stored(OperationKind.self, row["kind"], in: "posting.kind"),
                    sku: row["sku"], actor: row["actor"], token: row["token"], source: row["source"],
                    reason: row["reason"], reference: row["reference"], requestID: row["request_id"],
                    at: Date(timeIntervalSince1970: row["created_at"]))
            }
        }
    }
}
