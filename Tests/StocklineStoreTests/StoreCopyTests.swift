import Foundation
import Stockline
import StocklineCore
import StocklineStore
import StocklineTestSupport
import Testing

/// `StoreCopy`: a ledger copied SQLite → PostgreSQL → SQLite answers every question as the original did, passes
/// `verify` on every side, and goes on taking postings after the copied ids.
@Suite("store copy")
struct StoreCopyTests {
    @Test("SQLite → PostgreSQL → SQLite keeps every position, value, event and token, and verify stays clean")
    func roundTrip() async throws {
        let original = try await TemporaryLedger.make()
        defer { original.remove() }
        let inventory = original.inventory
        try await TestWorld.standard.build(in: inventory)
        let fixture = StoreFixture(inventory: inventory, clock: original.clock, keys: original.keys) {}
        try await LedgerStoreContractTests.postStory(fixture)
        _ = try await inventory.store.addToken(
            name: "copied", hash: "hash-of-copied", role: .admin, warehouse: nil,
            at: Date(timeIntervalSince1970: 1_800_000_000.25))
        // Partners, a route and open orders: their tables are copied too, and the copies read them alike.
        try await inventory.addPartner(code: "SUP", role: .supplier, leadDays: 4)
        try await inventory.addPartner(code: "CUS", role: .customer)
        try await inventory.setRoute(from: "WH1", to: "WH2", leadDays: 2, cost: Fixed(micros: 400_000))
        try await inventory.post(
            .purchaseOrder(
                .init(supplier: "SUP", at: "WH1", lines: [.init(sku: "P1", qty: Fixed(9), unitCost: Fixed(3))])),
            key: "po-copied")
        try await inventory.post(
            .salesOrder(.init(customer: "CUS", at: "WH1", lines: [.init(sku: "P1", qty: Fixed(500))])), key: "so-copied"
        )
        let orders = [try await inventory.order(id: "po-copied"), try await inventory.order(id: "so-copied")]
        try await inventory.recordRefusal(
            actor: "olga", source: "web", action: "POST /items/P1/receive", code: "forbidden", detail: "outside WH1")
        let refusals = try await inventory.refusedAttempts()
        #expect(try await inventory.verify().isEmpty)

        let postgres = try await StoreKind.postgresStore()
        let middle = Inventory(store: postgres, environment: .fixed(clock: original.clock, keys: original.keys))
        do {
            let summary = try await StoreCopy.copy(from: inventory.store, to: postgres)
            #expect(summary.tables.first { $0.table == "move" }?.rows ?? 0 > 0)

            let backDirectory = try TemporaryLedger.makeDirectory()
            defer { try? FileManager.default.removeItem(at: backDirectory) }
            let back = try await Inventory.open(
                path: backDirectory.appendingPathComponent("back.sqlite").path,
                environment: .fixed(clock: original.clock, keys: original.keys))
            try await StoreCopy.copy(from: postgres, to: back.store)

            let expected = try await Snapshot.take(inventory)
            #expect(expected.positions.count >= 9 && expected.events.count >= 10 && expected.tokens.count == 1)
            for (name, copy) in [("postgres", middle), ("sqlite again", back)] {
                let problems = try await copy.verify()
                #expect(problems.isEmpty, "\(name): \(problems)")
                let snapshot = try await Snapshot.take(copy)
                #expect(snapshot.positions == expected.positions, "\(name)")
                #expect(snapshot.probe == expected.probe, "\(name)")
                #expect(snapshot.events == expected.events, "\(name)")
                #expect(snapshot.tokens == expected.tokens, "\(name)")
                #expect(try await copy.catalog().partners == inventory.catalog().partners, "\(name)")
                #expect(try await copy.catalog().routes.count == 1, "\(name)")
                for order in orders {
                    #expect(try await copy.order(id: order.id, today: order.created) == order, "\(name)")
                }
                #expect(try await copy.refusedAttempts() == refusals, "\(name)")
            }

            // The copies go on after the copied ids: the same new postings give the same results everywhere.
            for ledger in [inventory, middle, back] {
                original.clock.advance()
                try await ledger.post(.receive("P1", 7, cost: "4"), key: "after-copy-1")
                try await ledger.post(.deliver("P1", 2), key: "after-copy-2")
                _ = try await ledger.addCompany(code: "NEWCO")
                #expect(try await ledger.verify().isEmpty)
            }
            let after = try await Snapshot.take(inventory)
            #expect(try await Snapshot.take(middle).positions == after.positions)
            #expect(try await Snapshot.take(back).positions == after.positions)
            #expect(try await Snapshot.take(middle).probe.lastEvent == after.probe.lastEvent)

            // A copy only goes into an empty ledger.
            await #expect(throws: StoreCopyError.self) { try await StoreCopy.copy(from: inventory.store, to: postgres) }
        } catch {
            await PostgresCluster.remove(postgres)
            throw error
        }
        await PostgresCluster.remove(postgres)
    }

    @Test("a backup (SQLite online backup, or a copy of PostgreSQL) restores to the same ledger")
    func backupAndRestore() async throws {
        let original = try await TemporaryLedger.make()
        defer { original.remove() }
        try await TestWorld.standard.build(in: original.inventory)
        let fixture = StoreFixture(inventory: original.inventory, clock: original.clock, keys: original.keys) {}
        try await LedgerStoreContractTests.postStory(fixture)
        let expected = try await Snapshot.take(original.inventory)

        let directory = try TemporaryLedger.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let sqliteBackup = directory.appendingPathComponent("sqlite.backup").path
        try await StoreCopy.backup(original.inventory.store, to: sqliteBackup)
        await #expect(throws: StoreCopyError.self) {
            try await StoreCopy.backup(original.inventory.store, to: sqliteBackup)
        }
        let fromBackup = try await Inventory.open(path: sqliteBackup)
        #expect(try await Snapshot.take(fromBackup) == expected)

        let postgres = try await StoreKind.postgresStore()
        do {
            try await StoreCopy.copy(from: fromBackup.store, to: postgres)
            let postgresBackup = directory.appendingPathComponent("postgres.backup").path
            try await StoreCopy.backup(postgres, to: postgresBackup)
            let restored = try await Inventory.open(path: postgresBackup)
            #expect(try await restored.verify().isEmpty)
            #expect(try await Snapshot.take(restored) == expected)
        } catch {
            await PostgresCluster.remove(postgres)
            throw error
        }
        await PostgresCluster.remove(postgres)
    }

    /// What a copy must reproduce.
    struct Snapshot: Equatable {
        var positions: [String: StockPosition]
        var probe: LedgerProbe
        var events: [String]
        var tokens: [String]

        static func take(_ inventory: Inventory) async throws -> Snapshot {
            let catalog = try await inventory.store.catalog()
            let items = try await inventory.store.items(limit: 1_000, after: nil)
            var positions: [String: StockPosition] = [:]
            for item in items {
                positions[item.sku] = try await inventory.position(sku: item.sku)
                for warehouse in catalog.warehouses.values.sorted(by: { $0.code < $1.code }) {
                    positions["\(item.sku)@\(warehouse.code)"] = try await inventory.position(
                        sku: item.sku, at: warehouse.code)
                }
            }
            let probe = try await LedgerProbe.take(inventory, skus: items.map(\.sku), lots: [("OIL", "L1")])
            let events = try await inventory.events(after: 0, limit: 10_000).map {
                "\($0.sequence) \($0.type) \($0.subject) \($0.payload.sorted { $0.key < $1.key }) \($0.at)"
            }
            let tokens = try await inventory.store.tokens().map { "\($0.name) \($0.role) \($0.createdAt)" }
            return Snapshot(positions: positions, probe: probe, events: events, tokens: tokens)
        }
    }
}
