import Foundation
import Stockline
import StocklineCore
import StocklineTestSupport
import Testing

@testable import StocklineStore

/// What only the PostgreSQL store has: URLs and schemas, migrations shared by instances, and many instances
/// writing to one database at once.
@Suite("PostgreSQL store")
struct PostgresLedgerStoreTests {
    // MARK: - Addresses and schemas (no server needed)

    @Test("a URL that cannot be used is refused with the reason, without its password")
    func invalidURLs() throws {
        for url in ["mysql://x@y/z", "postgres://u:secret@host/db?sslmode=sometimes", "postgres://h/db?colour=blue"] {
            #expect {
                _ = try PostgresLedgerStore(url: url)
            } throws: { error in
                guard case PostgresStoreError.invalidURL = error else { return false }
                return !"\(error)".contains("secret")
            }
        }
        #expect(throws: PostgresStoreError.invalidSchema("Bad-Name")) {
            _ = try PostgresLedgerStore(url: "postgres://u@h/db", schema: "Bad-Name")
        }
        #expect(throws: PostgresStoreError.invalidSchema("x;drop")) {
            _ = try PostgresLedgerStore(url: "postgres://u@h/db?schema=x;drop")
        }
    }

    @Test("schema names are lower-case identifiers that never need quoting")
    func schemaNames() {
        for name in ["public", "t_0123abcd", "_x", "stockline"] { #expect(PostgresLedgerStore.isValidSchema(name)) }
        for name in ["", "1abc", "Public", "a-b", "a b", "x\"y", String(repeating: "a", count: 64)] {
            #expect(!PostgresLedgerStore.isValidSchema(name), "\(name)")
        }
        #expect(PostgresLedgerStore.isURL("postgres://h/db"))
        #expect(PostgresLedgerStore.isURL("postgresql://h/db"))
        #expect(!PostgresLedgerStore.isURL("stockline.sqlite"))
    }

    // MARK: - Migrations

    @Test("migrating again, or from two instances at once, is harmless")
    func migrations() async throws {
        let store = try await StoreKind.postgresStore()
        let url = try await PostgresCluster.url()
        let other = try PostgresLedgerStore(url: url, schema: store.schema, maximumConnections: 2)
        let fresh = try PostgresLedgerStore(url: url, schema: PostgresCluster.freshSchema(), maximumConnections: 2)
        let freshAgain = try PostgresLedgerStore(url: url, schema: fresh.schema, maximumConnections: 2)
        do {
            try await store.migrate()
            try await other.migrate()
            async let first: Void = fresh.migrate()
            async let second: Void = freshAgain.migrate()
            _ = try await (first, second)
            for candidate in [store, fresh] {
                let catalog = try await candidate.catalog()
                #expect(catalog.locations.count == 8)
                #expect(catalog.location(path: "Partners/Suppliers")?.id == LocationID(2))
                #expect(try await candidate.verify() == [])
            }
            let publicStore = try PostgresLedgerStore(url: url, schema: "public")
            await #expect(throws: PostgresStoreError.protectedSchema("public")) { try await publicStore.dropSchema() }
            await publicStore.shutdown()
        } catch {
            Issue.record(error)
        }
        await other.shutdown()
        await freshAgain.shutdown()
        await PostgresCluster.remove(fresh)
        await PostgresCluster.remove(store)
    }

    @Test("a posting needing more ids than one block gets a run of blocks")
    func oversizedPosting() async throws {
        let store = try await StoreKind.postgresStore()
        do {
            // Small blocks, so a receipt of 25 serials (25 lots, 25 moves, 1 layer) needs three of them.
            try await store.execute(unsafeSQL: "ALTER SEQUENCE row_block INCREMENT BY 10")
            let inventory = Inventory(store: store, environment: .fixed())
            try await TestWorld.standard.build(in: inventory)
            try await inventory.post(.receive("P1", 1), key: "small")
            let serials = (1...25).map { "SN-\($0)" }
            let result = try await inventory.post(
                .receive(.init(sku: "ECU", qty: Fixed(25), at: "WH1", unitCost: Fixed(10), serials: serials)),
                key: "big")
            #expect(result.moveIDs.count > 10, "one move per serial: more ids than one block of 10")
            #expect(Set(result.moveIDs).count == result.moveIDs.count)
            try await inventory.post(.receive("P1", 1), key: "after")
            #expect(try await inventory.position(sku: "ECU").onHand == Fixed(25))
            #expect(try await inventory.totalValue(sku: "ECU") == Fixed(250))
            #expect(try await inventory.position(sku: "P1").onHand == Fixed(2))
            #expect(try await inventory.verify() == [])
        } catch {
            Issue.record(error)
        }
        await PostgresCluster.remove(store)
    }

    // MARK: - Many instances

    /// Two stores on one schema, each with its own connection pool: two Stockline instances.
    static func withTwoInstances(
        _ body: (_ first: Inventory, _ second: Inventory, _ clock: FixedClock) async throws -> Void
    ) async throws {
        let store = try await StoreKind.postgresStore()
        let other: PostgresLedgerStore
        do {
            other = try PostgresLedgerStore(
                url: try await PostgresCluster.url(), schema: store.schema, maximumConnections: 4)
        } catch {
            await PostgresCluster.remove(store)
            throw error
        }
        let clock = FixedClock()
        let first = Inventory(store: store, environment: .fixed(clock: clock, keys: SequentialKeys(prefix: "a")))
        let second = Inventory(store: other, environment: .fixed(clock: clock, keys: SequentialKeys(prefix: "b")))
        do {
            try await body(first, second, clock)
        } catch {
            Issue.record(error)
        }
        await other.shutdown()
        await PostgresCluster.remove(store)
    }

    @Test("two instances racing to reserve never promise more than is on hand")
    func concurrentReservations() async throws {
        try await Self.withTwoInstances { first, second, _ in
            try await TestWorld.standard.build(in: first)
            try await first.post(.receive("P1", 100), key: "r1")
            let outcomes = try await withThrowingTaskGroup(of: Result<PostingResult, StockError>.self) { group in
                for index in 0..<60 {
                    let inventory = index.isMultiple(of: 2) ? first : second
                    group.addTask { try await inventory.attempt(.reserve("P1", 5, order: "SO-\(index)")) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let accepted = outcomes.filter { (try? $0.get()) != nil }.count
            let refusals = outcomes.compactMap { outcome -> String? in
                guard case .failure(let error) = outcome else { return nil }
                return error.code
            }
            #expect(accepted == 20)
            #expect(Set(refusals) == ["insufficient_stock"])
            for inventory in [first, second] {
                let position = try await inventory.position(sku: "P1", at: "WH1")
                #expect(position.reserved == Fixed(100))
                #expect(position.available == .zero)
            }
            #expect(try await second.verify() == [])
        }
    }

    @Test("two instances racing to deliver never take stock below zero, and the outbox stays gapless")
    func concurrentDeliveries() async throws {
        try await Self.withTwoInstances { first, second, _ in
            try await TestWorld.standard.build(in: first)
            try await first.post(.receive("P1", 50, cost: "4"), key: "r1")
            try await first.post(.receive("P2", 50, cost: "6"), key: "r2")
            let outcomes = try await withThrowingTaskGroup(of: Result<PostingResult, StockError>.self) { group in
                for index in 0..<80 {
                    let inventory = index.isMultiple(of: 2) ? first : second
                    let sku = index % 4 < 2 ? "P1" : "P2"
                    group.addTask { try await inventory.attempt(.deliver(sku, 3)) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { (try? $0.get()) != nil }.count == 32)
            #expect(try await first.position(sku: "P1").onHand == Fixed(2))
            #expect(try await second.position(sku: "P2").onHand == Fixed(2))
            #expect(try await first.totalValue(sku: "P1") == Fixed(8))
            #expect(try await second.verify() == [])
            let events = try await second.events(after: 0, limit: 10_000)
            #expect(events.map(\.sequence) == Array(1...Int64(events.count)))
        }
    }

    @Test("batches naming the same items in opposite orders neither deadlock nor lose a posting")
    func oppositeOrders() async throws {
        try await Self.withTwoInstances { first, second, clock in
            try await TestWorld.standard.build(in: first)
            try await first.post(.receive("P1", 1000), key: "r1")
            try await first.post(.receive("P2", 1000), key: "r2")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for round in 0..<20 {
                    for (index, inventory) in [first, second].enumerated() {
                        let skus = index == 0 ? ["P1", "P2"] : ["P2", "P1"]
                        let requests = skus.enumerated().map { offset, sku in
                            PostingRequest(
                                key: "x\(round)-\(index)-\(offset)", operation: .deliver(sku, 1),
                                actor: "t", source: "t", now: clock.now())
                        }
                        group.addTask {
                            let results = try await inventory.postBatch(requests)
                            #expect(results.allSatisfy { (try? $0.get()) != nil })
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await first.position(sku: "P1").onHand == Fixed(960))
            #expect(try await second.position(sku: "P2").onHand == Fixed(960))
            #expect(try await first.verify() == [])
        }
    }

    @Test("the same key posted by two instances at once is posted once")
    func concurrentSameKey() async throws {
        try await Self.withTwoInstances { first, second, _ in
            try await TestWorld.standard.build(in: first)
            let outcomes = try await withThrowingTaskGroup(of: PostingResult.self) { group in
                for index in 0..<10 {
                    let inventory = index.isMultiple(of: 2) ? first : second
                    group.addTask { try await inventory.post(.receive("P1", 7), key: "same") }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(outcomes).count == 1)
            #expect(try await first.position(sku: "P1").onHand == Fixed(7))
            #expect(try await second.store.counts().postings == 1)
        }
    }

    @Test("a warehouse another instance created can be posted to at once")
    func catalogChangesReachOtherInstances() async throws {
        try await Self.withTwoInstances { first, second, _ in
            try await TestWorld.standard.build(in: first)
            try await second.post(.receive("P1", 1), key: "warm-cache")
            try await first.addWarehouse(code: "WH9")
            try await first.addLocation(path: "WH9/STOCK/B-02")
            try await second.post(.receive("P1", 4, at: "WH9/STOCK/B-02"), key: "r9")
            #expect(try await second.position(sku: "P1", at: "WH9").onHand == Fixed(4))
        }
    }
}
