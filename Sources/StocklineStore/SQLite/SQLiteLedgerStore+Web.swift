public import Foundation
import GRDB
public import StocklineCore

extension SQLiteLedgerStore {
    public func addUser(_ user: WebUser) async throws {
        try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM web_user WHERE name = ?", arguments: [user.name]) == nil
            else { throw StockError.duplicate(kind: "user", code: user.name) }
            try db.execute(
                sql: "INSERT INTO web_user (name, role, warehouse, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [
                    user.name, user.role.rawValue, user.warehouse, user.passwordHash,
                    user.createdAt.timeIntervalSince1970,
                ])
        }
    }

    public func user(name: String) async throws -> WebUser? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM web_user WHERE name = ?", arguments: [name]).map(Self.user)
        }
    }

    public func setPasswordHash(_ hash: String, user name: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "UPDATE web_user SET password_hash = ? WHERE name = ?", arguments: [hash, name])
            return db.changesCount > 0
        }
    }

    public func users() async throws -> [WebUser] {
        try await pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM web_user ORDER BY name").map(Self.user) }
    }

    public func addSession(_ session: WebSession) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO web_session (hash, user_name, csrf, expires_at) VALUES (?, ?, ?, ?)",
                arguments: [session.hash, session.user, session.csrf, session.expires.timeIntervalSince1970])
        }
    }

    public func session(hash: String, now: Date) async throws -> WebSession? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM web_session WHERE hash = ? AND expires_at > ?",
                arguments: [hash, now.timeIntervalSince1970]
            ).map { row in
                WebSession(
                    hash: row["hash"], user: row["user_name"], csrf: row["csrf"],
                    expires: Date(timeIntervalSince1970: row["expires_at"]))
            }
        }
    }

    public func removeSession(hash: String) async throws {
        try await pool.write { db in try db.execute(sql: "DELETE FROM web_session WHERE hash = ?", arguments: [hash]) }
    }

    public func addRefusedAttempt(_ attempt: RefusedAttempt) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO refused_attempt (at, actor, source, action, code, detail) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [
                    attempt.at.timeIntervalSince1970, attempt.actor, attempt.source, attempt.action, attempt.code,
                    attempt.detail,
                ])
        }
    }

    public func refusedAttempts(limit: Int) async throws -> [RefusedAttempt] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM refused_attempt ORDER BY id DESC LIMIT ?", arguments: [limit])
                .map { row in
                    RefusedAttempt(
                        id: row["id"], at: Date(timeIntervalSince1970: row["at"]), actor: row["actor"],
                        source: row["source"], action: row["action"], code: row["code"], detail: row["detail"])
                }
        }
    }

    private static func user(_ row: Row) throws -> WebUser {
        WebUser(
            name: row["name"], role: try stored(Role.self, row["role"], in: "web_user.role"),
            warehouse: row["warehouse"],
            passwordHash: row["password_hash"], createdAt: Date(timeIntervalSince1970: row["created_at"]))
    }
}
