public import Foundation
import PostgresNIO
public import StocklineCore

extension PostgresLedgerStore {
    public func addUser(_ user: WebUser) async throws {
        try await transaction(.write) { db in
            guard try await db.value("SELECT 1 FROM web_user WHERE name = \(user.name)", as: Int32.self) == nil else {
                throw StockError.duplicate(kind: "user", code: user.name)
            }
            try await db.execute(
                """
                INSERT INTO web_user (name, role, warehouse, password_hash, created_at)
                VALUES (\(user.name), \(user.role.rawValue), \(user.warehouse), \(user.passwordHash),
                    \(user.createdAt.timeIntervalSince1970))
                """)
        }
    }

    public func user(name: String) async throws -> WebUser? {
        try await transaction(.read) { db in
            try await db.rows("SELECT * FROM web_user WHERE name = \(name)").first.map(Self.user)
        }
    }

    public func setPasswordHash(_ hash: String, user name: String) async throws -> Bool {
        try await transaction(.write) { db in
            !(try await db.rows("UPDATE web_user SET password_hash = \(hash) WHERE name = \(name) RETURNING name")
                .isEmpty)
        }
    }

    public func users() async throws -> [WebUser] {
        try await transaction(.read) { db in try await db.rows("SELECT * FROM web_user ORDER BY name").map(Self.user) }
    }

    public func addSession(_ session: WebSession) async throws {
        try await transaction(.write) { db in
            try await db.execute(
                """
                INSERT INTO web_session (hash, user_name, csrf, expires_at)
                VALUES (\(session.hash), \(session.user), \(session.csrf), \(session.expires.timeIntervalSince1970))
                """)
        }
    }

    public func session(hash: String, now: Date) async throws -> WebSession? {
        try await transaction(.read) { db in
            try await db.rows(
                "SELECT * FROM web_session WHERE hash = \(hash) AND expires_at > \(now.timeIntervalSince1970)"
            ).first.map { row in
                WebSession(
                    hash: try row.get("hash"), user: try row.get("user_name"), csrf: try row.get("csrf"),
                    expires: Date(timeIntervalSince1970: try row.get("expires_at")))
            }
        }
    }

    public func removeSession(hash: String) async throws {
        try await transaction(.write) { db in try await db.execute("DELETE FROM web_session WHERE hash = \(hash)") }
    }

    public func addRefusedAttempt(_ attempt: RefusedAttempt) async throws {
        try await transaction(.write) { db in
            try await db.execute(
                """
                INSERT INTO refused_attempt (at, actor, source, action, code, detail)
                VALUES (\(attempt.at.timeIntervalSince1970), \(attempt.actor), \(attempt.source), \(attempt.action),
                    \(attempt.code), \(attempt.detail))
                """)
        }
    }

    public func refusedAttempts(limit: Int) async throws -> [RefusedAttempt] {
        try await transaction(.read) { db in
            try await db.rows("SELECT * FROM refused_attempt ORDER BY id DESC LIMIT \(limit)").map { row in
                RefusedAttempt(
                    id: try row.get("id"), at: Date(timeIntervalSince1970: try row.get("at")),
                    actor: try row.get("actor"), source: try row.get("source"), action: try row.get("action"),
                    code: try row.get("code"), detail: try row.get("detail"))
            }
        }
    }

    private static func user(_ row: PostgresRandomAccessRow) throws -> WebUser {
        WebUser(
            name: try row.get("name"), role: try stored(Role.self, try row.get("role"), in: "web_user.role"),
            warehouse: try row.get("warehouse"), passwordHash: try row.get("password_hash"),
            createdAt: Date(timeIntervalSince1970: try row.get("created_at")))
    }
}
