import Foundation
import Stockline
import StocklineCore
import StocklineStore
import StocklineTestSupport
import Testing

/// The store contract: every test body runs against SQLite and PostgreSQL alike.
@Suite("LedgerStore contract")
struct LedgerStoreContractTests {
    /// A short history touching receipts, FIFO deliveries, reservations, transit, lots and counts.
    static func postStory(_ fixture: StoreFixture) async throws {
        let inventory = fixture.inventory
        func post(_ operation: StockOperation, key: String) async throws {
            fixture.clock.advance()
            try await inventory.post(operation, key: key)
        }
        try await post(.receive("P1", 10, cost: "5"), key: "r1")
        try await post(.receive("P1", 5, cost: "8"), key: "r2")
        try await post(.deliver("P1", 12), key: "d1")
        try await post(.reserve("P1", 2, order: "SO-1"), key: "s1")
        try await post(.transfer(.init(sku: "P1", qty: Fixed(1), from: "WH1", to: "WH2", transit: true)), key: "t1")
        try await post(.arrive(.init(transfer: "t1")), key: "a1")
        try await post(.receive("OIL", 20, cost: "2", lot: "L1"), key: "r3")
        try await post(.receive("P2", 4, at: "WH2", cost: "3"), key: "r4")
        try await post(.count(.init(sku: "P2", at: "WH2", counted: Fixed(3))), key: "c1")
        try await post(.ship(.init(order: "SO-1")), key: "sh1")
    }

    @Test("master data is created, listed and refused the same way", arguments: StoreKind.allCases)
    func masterData(kind: StoreKind) async throws {
        try await withLedger(kind) { fixture in
            let inventory = fixture.inventory
            let catalog = try await TestWorld(
                warehouses: [.init("WH1"), .init("WH2", allowNegative: true)], locations: ["WH1/STOCK/A-01"],
                items: [.init("P1"), .init("OIL", uom: "l", tracking: .lot)]
            ).build(in: inventory)
            #expect(catalog.company(code: "ACME")?.currency == "EUR")
            let wh1 = try #require(catalog.warehouse(code: "WH1"))
            #expect(catalog.warehouse(code: "WH2")?.allowNegative == true)
            for path in ["WH1/STOCK", "WH1/INPUT", "WH1/QC", "WH1/OUTPUT", "Transit/WH1", "WH1/STOCK/A-01"] {
                #expect(catalog.location(path: path)?.warehouseID == wh1.id, "\(path)")
            }
            #expect(catalog.location(path: Location.Virtual.supplier)?.usage == .supplier)
            #expect(catalog.location(path: Location.Virtual.adjustment)?.usage == .adjustment)

            let refusals: [(String, () async throws -> Void)] = [
                ("company", { _ = try await inventory.addCompany(code: "ACME") }),
                ("warehouse", { _ = try await inventory.addWarehouse(code: "WH1") }),
                ("location", { _ = try await inventory.addLocation(path: "WH1/STOCK/A-01") }),
                ("item", { _ = try await inventory.addItem(try TestWorld.ItemSpec("P1").item()) }),
            ]
            for (kind, attempt) in refusals {
                await #expect(
                    throws: StockError.duplicate(
                        kind: kind,
                        code: kind == "location"
                            ? "WH1/STOCK/A-01"
                            : kind == "item" ? "P1" : kind == "company" ? "ACME" : "WH1")
                ) { try await attempt() }
            }
            await #expect(throws: StockError.self) { try await inventory.addLocation(path: "NOPE/STOCK/A") }
            await #expect(throws: StockError.self) { try await inventory.addCompany(code: "X", currency: "euro") }

            let items = try await fixture.store.items(limit: 10, after: nil)
            #expect(items.map(\.sku) == ["P1", "OIL"])
            let page = try await fixture.store.items(limit: 10, after: items.first?.id)
            #expect(page.map(\.sku) == ["OIL"])
            #expect(try await fixture.store.items(ids: items.map(\.id).reversed()).map(\.sku) == ["P1", "OIL"])
            #expect(items.last?.tracking == .lot)
            #expect(items.last?.unit.name == "l")
        }
    }

    @Test("postings through Inventory give the expected positions and values", arguments: StoreKind.allCases)
    func postings(kind: StoreKind) async throws {
        try await withLedger(kind) { fixture in
            let inventory = fixture.inventory
            try await TestWorld.standard.build(in: inventory)
            try await Self.postStory(fixture)

            let p1 = try await inventory.position(sku: "P1")
            #expect(p1.onHand == Fixed(1))
            #expect(p1.value == Fixed(8))
            #expect(try await inventory.position(sku: "P1", at: "WH1").onHand == .zero)
            #expect(try await inventory.position(sku: "P1", at: "WH2").onHand == Fixed(1))
            #expect(try await inventory.totalValue(sku: "P1") == Fixed(8))
            #expect(try await inventory.costOfGoods(postingKey: "d1") == Fixed(66))
            #expect(try await inventory.costOfGoods(postingKey: "sh1") == Fixed(16))
            #expect(try await inventory.position(sku: "OIL", at: "WH1", lot: "L1").onHand == Fixed(20))
            #expect(try await inventory.totalValue(sku: "OIL") == Fixed(40))
            let p2 = try await inventory.position(sku: "P2", at: "WH2")
            #expect(p2.onHand == Fixed(3))
            #expect(p2.value == Fixed(9))

            let moves = try await inventory.moves(sku: "P1")
            #expect(moves.map(\.id) == moves.map(\.id).sorted(by: >), "newest first")
            #expect(Set(moves.map(\.itemID)).count == 1)
            #expect(try await inventory.moves(sku: "P1", limit: 2) == Array(moves.prefix(2)))
            let postings = try await fixture.store.postings(keys: ["r1", "t1", "nope"])
            let written = Set(postings.values.flatMap(\.moveIDs))
            #expect(!written.isEmpty && written.isSubset(of: Set(moves.map(\.id))))
            #expect(Set(postings.keys) == ["r1", "t1"])
            #expect(postings["r1"]?.quantity == Fixed(10))
            #expect(postings["r1"]?.layers.count == 1)
            let counts = try await fixture.store.counts()
            #expect(counts.items == 6)
            #expect(counts.postings == 10)
            #expect(try await inventory.verify() == [])
        }
    }

    @Test("both stores agree on every position, value, count and event")
    func storesAgree() async throws {
        var probes: [StoreKind: LedgerProbe] = [:]
        var events: [StoreKind: [String]] = [:]
        for kind in StoreKind.allCases {
            try await withLedger(kind) { fixture in
                try await TestWorld.standard.build(in: fixture.inventory)
                try await Self.postStory(fixture)
                probes[kind] = try await LedgerProbe.take(
                    fixture.inventory, skus: ["P1", "P2", "OIL"], lots: [("OIL", "L1")])
                events[kind] = try await fixture.inventory.events(after: 0, limit: 1000).map {
                    "\($0.sequence) \($0.type) \($0.subject) \($0.payload.sorted { $0.key < $1.key }) \($0.at)"
                        .replacingOccurrences(of: "posting: \"\\d+\"", with: "", options: .regularExpression)
                }
            }
        }
        #expect(probes[.sqlite] == probes[.postgres], "\(String(describing: probes))")
        let sqliteEvents = events[.sqlite] ?? []
        let postgresEvents = events[.postgres] ?? []
        // Master-data events carry the wall clock; posting events the fixed one.
        #expect(sqliteEvents.filter { $0.contains("posting.") } == postgresEvents.filter { $0.contains("posting.") })
        #expect(sqliteEvents.count == postgresEvents.count)
    }

    @Test("a replayed key returns the first result and writes nothing", arguments: StoreKind.allCases)
    func idempotentReplay(kind: StoreKind) async throws {
        try await withLedger(kind) { fixture in
            let inventory = fixture.inventory
            try await TestWorld.standard.build(in: inventory)
            let first = try await inventory.post(.receive("P1", 10), key: "k1")
            let before = try await LedgerProbe.take(inventory, skus: ["P1"])
            fixture.clock.advance()
            let replay = try await inventory.post(.receive("P1", 10), key: "k1")
            #expect(replay == first)
            #expect(try await LedgerProbe.take(inventory, skus: ["P1"]) == before)
            let reused = try await inventory.attempt(.receive("P1", 11), key: "k1")
            #expect(reused == .failure(.idempotencyKeyReused(key: "k1")))
            // The same key twice in one batch: the second is a replay of the first.
            let batch = try await inventory.postBatch([
                PostingRequest(
                    key: "k2", operation: .deliver("P1", 3), actor: "t", source: "t", now: fixture.clock.now()),
                PostingRequest(
                    key: "k2", operation: .deliver("P1", 3), actor: "t", source: "t", now: fixture.clock.now()),
            ])
            #expect(batch.count == 2)
            #expect(batch[0] == batch[1])
            #expect(try await inventory.position(sku: "P1").onHand == Fixed(7))
            #expect(try await inventory.verify() == [])
        }
    }

    @Test("a refused posting changes nothing, alone or inside a batch", arguments: StoreKind.allCases)
    func refusalLeavesNoTrace(kind: StoreKind) async throws {
        try await withLedger(kind) { fixture in
            let inventory = fixture.inventory
            try await TestWorld.standard.build(in: inventory)
            try await inventory.post(.receive("P1", 5), key: "r1")
            let before = try await LedgerProbe.take(inventory, skus: ["P1"])
            let refused = try await inventory.attempt(.deliver("P1", 6), key: "d1")
            guard case .failure(let error) = refused else {
                Issue.record("delivering 6 of 5 was posted")
                return
            }
            #expect(error.code == "insufficient_stock")
            #expect(try await LedgerProbe.take(inventory, skus: ["P1"]) == before)
            #expect(try await fixture.store.postings(keys: ["d1"]).isEmpty)

            let now = fixture.clock.now()
            let results = try await inventory.postBatch([
                PostingRequest(key: "b1", operation: .deliver("P1", 2), actor: "t", source: "t", now: now),
                PostingRequest(key: "b2", operation: .deliver("P1", 9), actor: "t", source: "t", now: now),
                PostingRequest(key: "b3", operation: .deliver("P1", 3), actor: "t", source: "t", now: now),
            ])
            #expect(results.map { (try? $0.get()) != nil } == [true, false, true])
            #expect(try await inventory.position(sku: "P1").onHand == .zero)
            #expect(Set(try await fixture.store.postings(keys: ["b1", "b2", "b3"]).keys) == ["b1", "b3"])
            #expect(try await fixture.store.counts().postings == 3)
            #expect(try await inventory.verify() == [])
        }
    }

    @Test("an atomic batch with one refusal writes nothing", arguments: StoreKind.allCases)
    func atomicBatch(kind: StoreKind) async throws {
        try await withLedger(kind) { fixture in
            let inventory = fixture.inventory
            try await TestWorld.standard.build(in: inventory)
            try await inventory.post(.receive("P1", 5), key: "r1")
            let before = try await LedgerProbe.take(inventory, skus: ["P1"])
            let now = fixture.clock.now()
            let results = try await inventory.postAtomically([
                PostingRequest(key: "a1", operation: .deliver("P1", 2), actor: "t", source: "t", now: now),
                PostingRequest(key: "a2", operation: .deliver("P1", 9), actor: "t", source: "t", now: now),
                PostingRequest(key: "a3", operation: .deliver("P1", 1), actor: "t", source: "t", now: now),
            ])
            #expect(results.count == 2)
            #expect(results.map { (try? $0.get()) != nil } == [true, false])
            #expect(try await LedgerProbe.take(inventory, skus: ["P1"]) == before)
            let accepted = try await inventory.postAtomically([
                PostingRequest(key: "a1", operation: .deliver("P1", 2), actor: "t", source: "t", now: now),
                PostingRequest(key: "a3", operation: .deliver("P1", 1), actor: "t", source: "t", now: now),
            ])
            #expect(accepted.allSatisfy { (try? $0.get()) != nil })
            #expect(try await inventory.position(sku: "P1").onHand == Fixed(2))
            #expect(try await inventory.verify() == [])
        }
    }

    @Test("verify is clean and the outbox is gapless and in order", arguments: StoreKind.allCases)
    func outbox(kind: StoreKind) async throws {
        try await withLedger(kind) { fixture in
            let inventory = fixture.inventory
            try await TestWorld.standard.build(in: inventory)
            try await Self.postStory(fixture)
            _ = try await inventory.attempt(.deliver("P1", 1000), key: "refused")
            #expect(try await inventory.verify() == [])

            let all = try await inventory.events(after: 0, limit: 10_000)
            #expect(all.map(\.sequence) == Array(1...Int64(all.count)))
            #expect(all.count == (try await fixture.store.counts()).events)
            #expect(all.first?.type == "company.created")
            #expect(
                all.filter { $0.type.hasPrefix("posting.") }.map(\.subject)
                    == ["r1", "r2", "d1", "s1", "t1", "a1", "r3", "r4", "c1", "sh1"])
            var paged: [LedgerEvent] = []
            var after: Int64 = 0
            while true {
                let page = try await inventory.events(after: after, limit: 4)
                guard let last = page.last else { break }
                paged += page
                after = last.sequence
            }
            #expect(paged == all)
            #expect(try await inventory.events(after: Int64(all.count), limit: 10).isEmpty)
        }
    }
}
