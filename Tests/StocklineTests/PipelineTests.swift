import Foundation
import StocklineCore
import StocklineTestSupport
import Testing

@testable import Stockline

/// The posting pipeline's own promises: postings that depend on each other in one batch, and books kept in memory
/// that another writer has changed since.
@Suite("posting pipeline: dependent postings in a batch, stale books")
struct PipelineTests {
    static func request(_ key: String, _ operation: StockOperation) -> PostingRequest {
        PostingRequest(key: key, operation: operation, actor: "test", source: "test", now: Date())
    }

    @Test(
        "independent lines may return what an earlier line delivered; an atomic batch refuses that and writes nothing")
    func dependentPostingsInABatch() async throws {
        try await withStandardWorld { inventory in
            let lines = [
                Self.request("r1", .receive("P1", Fixed(5), cost: Fixed(2))),
                Self.request("d1", .deliver("P1", Fixed(3))),
                Self.request("c1", .returnFromCustomer(.init(sku: "P1", qty: Fixed(2), to: "WH1", of: "d1"))),
                Self.request("c2", .returnFromCustomer(.init(sku: "P1", qty: Fixed(2), to: "WH1", of: "d1"))),
            ]
            let results = try await inventory.postBatch(lines)
            #expect(results.prefix(3).allSatisfy { if case .success = $0 { true } else { false } })
            // The second return sees the first: only 1 of the 3 delivered is left to return.
            guard case .failure(let error) = results[3] else {
                Issue.record("c2 was posted: \(results[3])")
                return
            }
            #expect(error.code == "invalid_state")
            #expect(try await inventory.position(sku: "P1", at: "WH1").onHand == Fixed(4))

            let counts = try await inventory.counts()
            let atomic = try await inventory.postAtomically([
                Self.request("d2", .deliver("P1", Fixed(1))),
                Self.request("c3", .returnFromCustomer(.init(sku: "P1", qty: Fixed(1), to: "WH1", of: "d2"))),
            ])
            guard case .failure(let refusal) = atomic.last else {
                Issue.record("posted: \(atomic)")
                return
            }
            #expect(refusal.code == "validation_failed")
            #expect(try await inventory.counts() == counts)
            #expect(try await inventory.verify().isEmpty)
        }
    }

    @Test("a book another process changed is read again: no oversell, no stale refusal")
    func staleBooksAreCaught() async throws {
        try await withTemporaryLedger { ledger in
            try await TestWorld.standard.build(in: ledger.inventory)
            let first = ledger.inventory
            let second = try await ledger.openAgain()
            try await first.post(.receive("P1", Fixed(10), cost: Fixed(2)), key: "r1")
            #expect(try await first.position(sku: "P1", at: "WH1").available == Fixed(10))
            // The second service takes all 10; the first still holds P1's book with 10 available.
            try await second.post(.deliver("P1", Fixed(10)), key: "d1")
            let oversell = try await first.attempt(.deliver("P1", Fixed(1)), key: "d2")
            guard case .failure(let error) = oversell else {
                Issue.record("oversold: \(oversell)")
                return
            }
            #expect(error.code == "insufficient_stock")
            // And the other way: stock the first service has not seen is there to take.
            try await second.post(.receive("P1", Fixed(4), cost: Fixed(2)), key: "r2")
            #expect(try await first.attempt(.deliver("P1", Fixed(4)), key: "d3").get().quantity == Fixed(4))
            #expect(try await first.bookCacheDrift().isEmpty)
            #expect(try await first.verify().isEmpty)
        }
    }

    @Test("a warehouse another process added can be posted to at once")
    func catalogChangedByAnotherProcess() async throws {
        try await withTemporaryLedger { ledger in
            try await TestWorld.standard.build(in: ledger.inventory)
            let first = ledger.inventory
            try await first.post(.receive("P1", Fixed(1), cost: Fixed(2)))
            let second = try await ledger.openAgain()
            try await second.addWarehouse(code: "WH9", company: "ACME")
            #expect(try await first.post(.receive("P1", Fixed(3), at: "WH9", cost: Fixed(2))).quantity == Fixed(3))
            #expect(try await first.position(sku: "P1", at: "WH9").onHand == Fixed(3))
        }
    }

    @Test("a batch of many chunks: later chunks see the orders, keys and stock of chunks not yet committed")
    func runsFollowEachOther() async throws {
        try await withStandardWorld { inventory in
            // Reservations over more than a chunk, a replay a chunk later, then shipments of the first half.
            let reserved = PostingPipeline.chunkSize * 3 / 2
            let shipped = reserved / 2
            var lines = [Self.request("r", .receive("P1", Fixed(reserved + 100), cost: Fixed(2)))]
            lines += (0..<reserved).map { Self.request("res-\($0)", .reserve("P1", Fixed(1), order: "SO-\($0)")) }
            // The same key and operation again, a chunk later: the first result, not a second reservation.
            lines.append(Self.request("res-5", .reserve("P1", Fixed(1), order: "SO-5")))
            lines += (0..<shipped).map { Self.request("ship-\($0)", .ship(.init(order: "SO-\($0)"))) }
            #expect(lines.count > 2 * PostingPipeline.chunkSize)
            let results = try await inventory.postBatch(lines)
            let refused = results.enumerated().filter { if case .failure = $0.1 { true } else { false } }
            #expect(refused.isEmpty, "\(refused.prefix(3))")
            #expect(try results[6].get() == results[reserved + 1].get())
            let position = try await inventory.position(sku: "P1", at: "WH1")
            #expect(position.onHand == Fixed(reserved + 100 - shipped))
            #expect(position.reserved == Fixed(reserved - shipped))
            let drift = try await inventory.bookCacheDrift()
            #expect(drift.isEmpty, "\(drift.map { String($0.suffix(700)) })")
            #expect(try await inventory.verify().isEmpty)
        }
    }
}
