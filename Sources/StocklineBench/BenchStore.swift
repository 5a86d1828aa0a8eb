import Foundation
public import Stockline
import StocklineStore
import StocklineTestSupport

/// Where a run's ledgers live: a fresh SQLite file each, or a fresh schema each on one PostgreSQL server.
public enum BenchStore: Sendable, Hashable {
    case sqlite
    /// A server URL (`postgres://...`); nil: `$STOCKLINE_TEST_POSTGRES_URL`, else a throwaway cluster.
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
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("stockline-bench-\(UUID().uuidString.lowercased())", isDirectory: true)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let path = directory.appendingPathComponent("ledger.sqlite").path
            let inventory = try await Inventory.open(path: path)
            return BenchLedger(inventory: inventory) { try? FileManager.default.removeItem(at: directory) }
        case .postgres(let url):
            let server: String
            if let url {
                server = url
            } else {
                server = try await PostgresCluster.url()
            }
            let store = try PostgresLedgerStore(
                url: server, schema: PostgresCluster.freshSchema(prefix: "bench"), maximumConnections: 20)
            do {
                try await store.migrate()
            } catch {
                await PostgresCluster.remove(store)
                throw error
            }
            return BenchLedger(inventory: Inventory(store: store)) { await PostgresCluster.remove(store) }
        }
    }

    /// How the server was found, for the machine description (a throwaway cluster runs with `fsync=off`).
    public func describe() -> String {
        switch self {
        case .sqlite: "SQLite (GRDB), WAL, synchronous=FULL"
        case .postgres(let url?): "PostgreSQL at \(Self.redacted(url))"
        case .postgres(nil):
            if let url = ProcessInfo.processInfo.environment["STOCKLINE_TEST_POSTGRES_URL"], !url.isEmpty {
                "PostgreSQL at \(Self.redacted(url)) ($STOCKLINE_TEST_POSTGRES_URL)"
            } else {
                "PostgreSQL throwaway cluster (fsync=off, synchronous_commit=off: not durable)"
            }
        }
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
