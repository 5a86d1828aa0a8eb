import Crypto
public import Foundation
public import StocklineCore
import StocklineStore
import _CryptoExtras

/// Password hashes: scrypt (memory-hard), with a random salt per password, written as
/// `scrypt$N$r$p$salt$hash` (base64) so the cost can be raised later without breaking stored hashes.
public enum Passwords {
    static let cost = (n: 16_384, r: 8, p: 1)

    public static func hash(_ password: String) throws -> String {
        var generator = SystemRandomNumberGenerator()
        let salt = Data((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let key = try derive(password, salt: salt, n: cost.n, r: cost.r, p: cost.p)
        return "scrypt$\(cost.n)$\(cost.r)$\(cost.p)$\(salt.base64EncodedString())$\(key.base64EncodedString())"
    }

    /// Whether `password` is the one `stored` was made from; a hash that cannot be read matches nothing.
    public static func matches(_ password: String, _ stored: String) -> Bool {
        let parts = stored.split(separator: "$").map(String.init)
        guard parts.count == 6, parts[0] == "scrypt", let n = Int(parts[1]), let r = Int(parts[2]),
            let p = Int(parts[3]), let salt = Data(base64Encoded: parts[4]),
            let expected = Data(base64Encoded: parts[5]),
            let key = try? derive(password, salt: salt, n: n, r: r, p: p), key.count == expected.count
        else { return false }
        // Constant time: every byte is compared.
        return zip(key, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private static func derive(_ password: String, salt: Data, n: Int, r: Int, p: Int) throws -> Data {
        let key = try KDF.Scrypt.deriveKey(
            from: Data(password.utf8), salt: salt, outputByteCount: 32, rounds: n, blockSize: r, parallelism: p)
        return key.withUnsafeBytes { Data($0) }
    }
}

extension Inventory {
    /// How long a sign-in lasts: a working shift and then some.
    public static let sessionLifetime: TimeInterval = 12 * 3_600

    /// Adds a person who signs in to the web app with `password`, in `role`, limited to `warehouse` when given.
    ///
    /// - Throws: `validation_failed` for a bad name or a password shorter than 10 characters, `unknown_location`
    ///   for an unknown warehouse, `conflict` when the name is taken.
    @discardableResult
    public func createUser(name: String, password: String, role: Role, warehouse: String? = nil) async throws
        -> WebUser
    {
        let name = try MasterData.code(name, field: "name")
        try Self.checkPassword(password)
        if let warehouse, try await catalog().warehouse(code: warehouse) == nil {
            throw StockError.unknownLocation(warehouse)
        }
        let user = WebUser(
            name: name, role: role, warehouse: warehouse, passwordHash: try Passwords.hash(password),
            createdAt: environment.now())
        try await store.addUser(user)
        return user
    }

    public func users() async throws -> [WebUser] { try await store.users() }

    private static func checkPassword(_ password: String) throws(StockError) {
        guard password.count >= 10, password.count <= 200 else {
            throw .validationFailed(field: "password", reason: "use 10 to 200 characters")
        }
    }

    /// Sets a new password for `name`; its sessions stay until they expire.
    public func setPassword(_ password: String, user name: String) async throws {
        try Self.checkPassword(password)
        guard try await store.setPasswordHash(try Passwords.hash(password), user: name) else {
            throw StockError.validationFailed(field: "name", reason: "there is no user \(name)")
        }
    }

    /// A password people can read out and type: five groups of four letters and digits.
    public static func newPassword() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")
        var generator = SystemRandomNumberGenerator()
        return (0..<5).map { _ in String((0..<4).map { _ in alphabet.randomElement(using: &generator) ?? "a" }) }
            .joined(separator: "-")
    }

    /// Signs a user in: the cookie's secret (kept only as a hash) and the session, or nil for a wrong name or
    /// password, which take the same time to refuse.
    public func signIn(name: String, password: String) async throws -> (secret: String, session: WebSession)? {
        let user = try await store.user(name: name)
        let matches = Passwords.matches(password, user?.passwordHash ?? Self.decoyHash)
        guard let user, matches else { return nil }
        let secret = Self.randomToken()
        let session = WebSession(
            hash: Self.secretHash(secret), user: user.name, csrf: Self.randomToken(),
            expires: environment.now().addingTimeInterval(Self.sessionLifetime))
        try await store.addSession(session)
        return (secret, session)
    }

    /// The user and session a cookie's secret stands for, while the session lasts.
    public func session(secret: String) async throws -> (WebUser, WebSession)? {
        guard let session = try await store.session(hash: Self.secretHash(secret), now: environment.now()),
            let user = try await store.user(name: session.user)
        else { return nil }
        return (user, session)
    }

    public func signOut(secret: String) async throws { try await store.removeSession(hash: Self.secretHash(secret)) }

    /// A hash no password matches, checked when the user does not exist so that refusals take as long.
    private static let decoyHash = (try? Passwords.hash(UUID().uuidString)) ?? ""

    /// SHA-256 in hex: how API token and session secrets are stored, so a leaked table reveals none of them.
    public static func secretHash(_ secret: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: Data(secret.utf8)) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

extension Inventory {
    /// Keeps a request the web app or the scanner refused for who sent it, so the audit trail shows the attempt.
    public func recordRefusal(actor: String, source: String, action: String, code: String, detail: String)
        async throws
    {
        try await store.addRefusedAttempt(
            RefusedAttempt(
                at: environment.now(), actor: actor, source: source, action: String(action.prefix(200)), code: code,
                detail: String(detail.prefix(500))))
    }

    /// The newest refused attempts first.
    public func refusedAttempts(limit: Int = 100) async throws -> [RefusedAttempt] {
        try await store.refusedAttempts(limit: max(1, min(limit, 1_000)))
    }
}
