import Foundation
public import Stockline

/// Where a run's ledgers live: a fresh SQLite file each, or a fresh schema each on one PostgreSQL server.
public enum BenchStore: Sendable, Hashable {
    case sqlite
    /// A server URL (`postgres://...`); nil: `$STOCKLINE_TEST_POSTGRES_URL`.
    case postgres(url: String?)

    public var name: String {
        switch self {
        case .sqlite: "sqlite"
        case .postgres: "postgres"
        }
    }

    /// A fresh, migrated, empty ledger; ``BenchLedger/remove()`` deletes its file or drops its schema.
    public func open() async throws -> BenchLedger {
        switch self {
        case .sqlite:
            let inventory = try await Inventory.scratch()
            return BenchLedger(inventory: inventory) { await inventory.discard() }
        case .postgres(let url):
            guard let server = url ?? Self.environmentURL else { throw BenchStoreError.noPostgresURL }
            let inventory = try await Inventory.scratch(postgresURL: server, connections: 20)
            return BenchLedger(inventory: inventory) { await inventory.discard() }
        }
    }

    /// How the server was found, for the machine description (a throwaway cluster runs with `fsync=off`).
    public func describe() -> String {
        switch self {
        case .sqlite: "SQLite (GRDB), WAL, synchronous=FULL"
        case .postgres(let url?): "PostgreSQL at \(Self.redacted(url))"
        case .postgres(nil):
            "PostgreSQL at \(Self.redacted(Self.environmentURL ?? "")) ($STOCKLINE_TEST_POSTGRES_URL)"
        }
    }

    static var environmentURL: String? {
        ProcessInfo.processInfo.environment["STOCKLINE_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The URL without a password.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return "postgres://..." }
        if components.password != nil { components.password = "***" }
        return components.string ?? "postgres://..."
    }
}

/// A ledger a suite works on, and how to remove it.
public struct BenchLedger: Sendable {
    public let inventory: Inventory
    private let removal: @Sendable () async -> Void

    init(inventory: Inventory, remove: @escaping @Sendable () async -> Void) {
        self.inventory = inventory
        self.removal = remove
    }

    public func remove() async { await removal() }
}

extension BenchStore {
    /// Runs `body` on a fresh ledger and removes it afterwards, also when `body` throws.
    func withLedger<T: Sendable>(_ body: (BenchLedger) async throws -> T) async throws -> T {
        let ledger = try await open()
        do {
            let value = try await body(ledger)
            await ledger.remove()
            return value
        } catch {
            await ledger.remove()
            throw error
        }
    }
}

/// Why a PostgreSQL run cannot start.
public enum BenchStoreError: Error, CustomStringConvertible {
    case noPostgresURL

    public var description: String {
        "name the PostgreSQL server to benchmark on: --db postgres://user@host:port/db, or "
            + "$STOCKLINE_TEST_POSTGRES_URL"
    }
}
