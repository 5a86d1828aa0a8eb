public import Foundation
import Stockline
import StocklineCore
import StocklineStore

/// Reads a ledger database another process wrote, answering in plain values, so an end-to-end test can check what
/// the `stockline` binary committed without depending on the service modules itself.
public struct LedgerFile: Sendable {
    private let inventory: Inventory

    /// Opens (and, if needed, recovers) the database at `path` through the same service the binary uses.
    public static func open(path: String) async throws -> LedgerFile {
        LedgerFile(inventory: try await Inventory.open(path: path, environment: .fixed()))
    }

    /// How many postings (one per accepted operation, replays excluded) the ledger holds.
    public func postingCount() async throws -> Int { try await inventory.store.counts().postings }

    /// How many moves the ledger holds.
    public func moveCount() async throws -> Int { try await inventory.store.counts().moves }

    /// The keys among `keys` that have a posting.
    public func postedKeys(among keys: [String]) async throws -> Set<String> {
        var found = Set<String>()
        var index = 0
        while index < keys.count {
            let page = Array(keys[index..<min(index + 500, keys.count)])
            found.formUnion(try await inventory.store.postings(keys: page).keys)
            index += page.count
        }
        return found
    }

    /// On-hand quantity of `sku` at a warehouse code or location path (nil: every warehouse), as an exact decimal.
    public func onHand(sku: String, at place: String? = nil) async throws -> Decimal {
        let position = try await inventory.position(sku: sku, at: place)
        guard let value = Decimal(string: position.onHand.description) else {
            throw StockError.invalidState("\(position.onHand) is not a decimal")
        }
        return value
    }

    /// Every broken invariant `stockline verify` would report; empty when the ledger is sound.
    public func problems() async throws -> [String] { try await inventory.verify() }
}
