import Stockline
import StocklineCore
import StocklineStore
import StocklineTestSupport
import Testing

@Suite("idempotency: a replayed key returns the first result and writes nothing")
struct IdempotencyTests {
    static let operations: [(String, StockOperation)] = [
        ("receive", .receive("P1", Fixed(4), cost: Fixed(3))),
        ("deliver", .deliver("P1", Fixed(2))),
        ("reserve", .reserve("P1", Fixed(1), order: "SO-9")),
        ("transfer through transit", .transfer(.init(sku: "P1", qty: Fixed(1), from: "WH1", to: "WH2", transit: true))),
        ("count", .count(.init(sku: "P1", at: "WH1", counted: Fixed(7)))),
        ("adjust", .adjust(.init(sku: "P1", at: "WH1", qty: Fixed(-1), reason: "damaged"))),
        ("receive serials", .receive("ECU", Fixed(2), serials: ["S1", "S2"])),
        ("receive a lot", .receive("OIL", Fixed(3), lot: "L1")),
        ("hold", .hold(.init(sku: "P1", qty: Fixed(1), at: "WH1"))),
    ]

    @Test("a replayed key returns the first result and writes nothing", arguments: operations)
    func replayWritesNothing(label: String, operation: StockOperation) async throws {
        try await withStandardWorld { inventory in
            try await inventory.post(.receive("P1", Fixed(10), cost: Fixed(2)))
            let first = try await inventory.post(operation, key: "K-1")
            let probe = try await LedgerProbe.take(inventory, skus: ["P1", "ECU", "OIL"])
            for _ in 0..<3 {
                let replay = try await inventory.post(operation, key: "K-1", actor: "someone else", source: "retry")
                #expect(replay == first)
            }
            let after = try await LedgerProbe.take(inventory, skus: ["P1", "ECU", "OIL"])
            #expect(after.counts == probe.counts, "a replay wrote rows")
            #expect(after == probe, "a replay changed the ledger:\nbefore \(probe)\nafter \(after)")
            #expect(try await inventory.verify().isEmpty)
        }
    }

    @Test("a replay returns the first result even after the stock has changed since")
    func replayAfterLaterPostings() async throws {
        try await withStandardWorld { inventory in
            let receipt = try await inventory.post(.receive("P1", Fixed(5), cost: Fixed(2)), key: "R-1")
            let delivery = try await inventory.post(.deliver("P1", Fixed(5)), key: "D-1")
            // Stock is now zero: a fresh delivery would be refused, the replay is not.
            let replayedDelivery = try await inventory.attempt(.deliver("P1", Fixed(5)), key: "D-1")
            #expect(try replayedDelivery.get() == delivery)
            let before = try await inventory.store.counts()
            #expect(try await inventory.post(.receive("P1", Fixed(5), cost: Fixed(2)), key: "R-1") == receipt)
            #expect(try await inventory.store.counts() == before)
            #expect(try await inventory.position(sku: "P1", at: "WH1").onHand == .zero)
            #expect(try await inventory.costOfGoods(postingKey: "D-1") == Fixed(10))
        }
    }

    @Test("the same key twice in one batch posts once")
    func replayInsideOneBatch() async throws {
        try await withStandardWorld { inventory in
            let request = PostingRequest(
                key: "B-1", operation: .receive("P1", Fixed(3)), actor: "test", source: "test",
                now: FixedClock.origin)
            let results = try await inventory.postBatch([request, request, request])
            let postings = try results.map { try $0.get() }
            #expect(postings.count == 3)
            #expect(Set(postings).count == 1, "each copy returns the first result")
            #expect(try await inventory.store.counts().postings == 1)
            #expect(try await inventory.position(sku: "P1", at: "WH1").onHand == Fixed(3))
        }
    }

    @Test("concurrent submissions of one key post once")
    func concurrentReplays() async throws {
        try await withStandardWorld { inventory in
            let results = try await withThrowingTaskGroup(of: PostingResult.self) { group in
                for _ in 0..<32 {
                    group.addTask { try await inventory.post(.receive("P1", Fixed(2)), key: "C-1") }
                }
                var all: [PostingResult] = []
                for try await result in group { all.append(result) }
                return all
            }
            #expect(results.count == 32)
            #expect(Set(results).count == 1)
            #expect(try await inventory.store.counts().postings == 1)
            #expect(try await inventory.position(sku: "P1", at: "WH1").onHand == Fixed(2))
            #expect(try await inventory.verify().isEmpty)
        }
    }

    @Test("a key whose command was refused is not spent: it posts once the command can be done")
    func refusedKeyIsNotRecorded() async throws {
        try await withStandardWorld { inventory in
            let refused = try await inventory.attempt(.deliver("P1", Fixed(2)), key: "D-1")
            #expect(throws: StockError.self) { try refused.get() }
            #expect(try await inventory.store.counts().postings == 0)
            try await inventory.post(.receive("P1", Fixed(2)))
            let delivered = try await inventory.post(.deliver("P1", Fixed(2)), key: "D-1")
            #expect(delivered.quantity == Fixed(2))
            #expect(try await inventory.store.counts().postings == 2)
        }
    }
}
