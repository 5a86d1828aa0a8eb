import Foundation
import PostgresNIO

/// A `postgres://` URL taken apart into what `PostgresClient` needs, plus the schema the ledger lives in.
///
/// The form is libpq's, so the URL an operator already has works:
/// `postgres://user:password@host:port/database?sslmode=disable&schema=stockline`. Missing parts default like libpq's
/// (port 5432, user `postgres`, database = user). Query parameters:
/// - `sslmode`: `disable`, `allow`/`prefer` (the default: TLS when the server offers it), `require` (TLS without
///   certificate checks, as libpq), `verify-ca`/`verify-full` (TLS with full verification);
/// - `schema`: the schema holding the ledger's tables (default `public`);
/// - `host`: a directory holding the server's Unix socket, instead of a TCP host (`?host=/var/run/postgresql`).
struct PostgresAddress: Sendable {
    var configuration: PostgresClient.Configuration
    var schema: String?
    /// The URL without its password, for messages.
    var redacted: String

    /// Whether `text` names a PostgreSQL database rather than a SQLite file.
    static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    init(url text: String) throws(PostgresStoreError) {
        guard let components = URLComponents(string: text) else {
            throw .invalidURL(
                url: "given", reason: "it is not a URL; expected postgres://user:password@host:port/database")
        }
        var shown = components
        if shown.password != nil { shown.password = "***" }
        let redacted = shown.string ?? "given"
        func invalid(_ reason: String) -> PostgresStoreError { .invalidURL(url: redacted, reason: reason) }
        guard Self.isURL(text) else { throw invalid("expected postgres://user:password@host:port/database") }

        var parameters: [String: String] = [:]
        for item in components.queryItems ?? [] {
            guard ["sslmode", "schema", "host"].contains(item.name) else {
                throw invalid("unknown parameter '\(item.name)' (known: sslmode, schema, host)")
            }
            parameters[item.name] = item.value ?? ""
        }
        let tls: PostgresClient.Configuration.TLS
        switch parameters["sslmode"] ?? "prefer" {
        case "disable": tls = .disable
        case "allow", "prefer": tls = .prefer(.makeClientConfiguration())
        case "require":
            var unverified = TLSConfiguration.makeClientConfiguration()
            unverified.certificateVerification = .none
            tls = .require(unverified)
        case "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        case let other: throw invalid("unknown sslmode '\(other)'")
        }
        let username = components.user.flatMap { $0.isEmpty ? nil : $0 } ?? "postgres"
        let password = components.password
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let database = path.isEmpty ? username : path
        let port = components.port ?? 5432
        if let socketDirectory = parameters["host"], socketDirectory.hasPrefix("/") {
            configuration = PostgresClient.Configuration(
                unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: username, password: password,
                database: database)
        } else {
            let host = parameters["host"] ?? components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
            configuration = PostgresClient.Configuration(
                host: host, port: port, username: username, password: password, database: database, tls: tls)
        }
        schema = parameters["schema"]
        self.redacted = redacted
    }
}
