public import Foundation
import PostgresNIO
public import StocklineCore

extension PostgresLedgerStore {
    public func addToken(name: String, hash: String, role: Role, warehouse: String?, at: Date) async throws -> APIToken
    {
        try await transaction(.write) { db in
            guard try await db.value("SELECT 1 FROM api_token WHERE name = \(name)", as: Int32.self) == nil else {
                throw StockError.duplicate(kind: "token", code: name)
            }
            let id = try await Self.insert(
                db,
                """
                INSERT INTO api_token (name, hash, role, warehouse, created_at)
                VALUES (\(name), \(hash), \(role.rawValue), \(warehouse), \(at.timeIntervalSince1970))
                """)
            return APIToken(id: id, name: name, hash: hash, role: role, warehouse: warehouse, createdAt: at)
        }
    }

    public func token(hash: String) async throws -> APIToken? {
        try await transaction(.read) { db in
            try await db.rows("SELECT * FROM api_token WHERE hash = \(hash)").first.map(Self.token)
        }
    }

    public func tokens() async throws -> [APIToken] {
        try await transaction(.read) { db in try await db.rows("SELECT * FROM api_token ORDER BY id").map(Self.token) }
    }

    static func token(_ row: PostgresRandomAccessRow) throws -> APIToken {
        APIToken(
            id: try row.get("id"), name: try row.get("name"), hash: try row.get("hash"),
            role: try stored(Role.self, try row.get("role"), in: "api_token.role"), warehouse: try row.get("warehouse"),
            createdAt: Date(timeIntervalSince1970: try row.get("created_at")))
    }

    public func audit(_ filter: AuditFilter) async throws -> [AuditEntry] {
        let from = filter.from?.timeIntervalSince1970
        let to = filter.to?.timeIntervalSince1970
        let limit = Int64(max(1, min(filter.limit, 1000)))
        return try await transaction(.read) { db in
            try await db.rows(
                """
                SELECT p.*, i.sku FROM posting p LEFT JOIN item i ON i.id = p.item_id
                WHERE (\(filter.sku)::text IS NULL OR i.sku = \(filter.sku))
                    AND (\(filter.actor)::text IS NULL OR p.actor = \(filter.actor))
                    AND (\(from)::double precision IS NULL OR p.created_at >= \(from))
                    AND (\(to)::double precision IS NULL OR p.created_at < \(to))
                ORDER BY p.id DESC LIMIT \(limit)
                """
            ).map { row in
                AuditEntry(
                    posting: try row.get("id"), key: try row.get("key"),
                    kind: try stored(OperationKind.self, try row.get("kind"), in: "posting.kind"),
                    sku: try row.get("sku"),
                    actor: try row.get("actor"), token: try row.get("token"), source: try row.get("source"),
                    reason: try row.get("reason"), reference: try row.get("reference"),
                    requestID: try row.get("request_id"),
                    at: Date(timeIntervalSince1970: try row.get("created_at")))
            }
        }
    }
}
