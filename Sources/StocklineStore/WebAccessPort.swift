public import Foundation
public import StocklineCore

/// What the web app's sign-in needs of a store: users, their sessions, and the attempts it refused.
public protocol WebAccessPort: Sendable {
    /// Adds a user; `conflict` when the name is taken.
    func addUser(_ user: WebUser) async throws
    func user(name: String) async throws -> WebUser?
    /// Replaces a user's password hash; false when there is no such user.
    func setPasswordHash(_ hash: String, user name: String) async throws -> Bool
    func users() async throws -> [WebUser]
    func addSession(_ session: WebSession) async throws
    /// The session with `hash` that has not expired at `now`.
    func session(hash: String, now: Date) async throws -> WebSession?
    func removeSession(hash: String) async throws
    func addRefusedAttempt(_ attempt: RefusedAttempt) async throws
    /// Newest first.
    func refusedAttempts(limit: Int) async throws -> [RefusedAttempt]
}
