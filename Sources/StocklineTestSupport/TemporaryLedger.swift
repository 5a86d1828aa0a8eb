public import Foundation
public import Stockline
import StocklineStore

/// A fresh, migrated SQLite ledger in a temporary directory of its own, with a deterministic clock and keys.
///
/// Use ``withTemporaryLedger(clock:keys:isolation:_:)`` so the directory is removed however the test ends; use
/// ``make(clock:keys:)`` and ``remove()`` when the ledger must outlive one scope.
public struct TemporaryLedger: Sendable {
    /// The directory holding the database file (and its WAL and shared-memory files).
    public let directory: URL
    /// The database file, for opening it again or handing it to the `stockline` binary.
    public let path: String
    public let inventory: Inventory
    public let clock: FixedClock
    public let keys: SequentialKeys

    /// Creates the directory and the database, migrated and empty (only the virtual locations exist).
    public static func make(clock: FixedClock = FixedClock(), keys: SequentialKeys = SequentialKeys()) async throws
        -> TemporaryLedger
    {
        let directory = try makeDirectory()
        let path = directory.appendingPathComponent("ledger.sqlite").path
        do {
            let inventory = try await Inventory.open(path: path, environment: .fixed(clock: clock, keys: keys))
            return TemporaryLedger(directory: directory, path: path, inventory: inventory, clock: clock, keys: keys)
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// A new, empty temporary directory (`stockline-tests-<uuid>`), for tests that create files of their own.
    public static func makeDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("stockline-tests-\(UUID().uuidString.lowercased())", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// A second service on the same file, with its own connection pool: what another process or instance sees.
    public func openAgain(environment: Environment? = nil) async throws -> Inventory {
        try await Inventory.open(path: path, environment: environment ?? .fixed(clock: clock, keys: keys))
    }

    /// Deletes the directory and everything in it.
    public func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Runs `body` with a fresh temporary ledger and removes it afterwards, also when `body` throws.
public func withTemporaryLedger<Value>(
    clock: FixedClock = FixedClock(), keys: SequentialKeys = SequentialKeys(),
    isolation: isolated (any Actor)? = #isolation,
    _ body: (TemporaryLedger) async throws -> Value
) async throws -> Value {
    let ledger = try await TemporaryLedger.make(clock: clock, keys: keys)
    defer { ledger.remove() }
    return try await body(ledger)
}
