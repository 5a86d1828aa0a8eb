import Foundation
import Stockline
import StocklineCore
import StocklineTestSupport
import Testing

@testable import StocklineStore

/// `verify` names what a damaged ledger breaks; these tests damage rows by hand and expect the finding.
@Suite("verify on damaged ledgers")
struct VerifyTests {
    /// An average-cost company whose item went below zero before its first receipt, then came back.
    static func averageStory(_ fixture: StoreFixture) async throws {
        let inventory = fixture.inventory
        try await TestWorld(
            companies: [.init("AVCO", costing: .average)],
            warehouses: [.init("WH1", company: "AVCO", allowNegative: true), .init("WH2", company: "AVCO")],
            items: [.init("P1", standardCost: Fixed(1)), .init("P2")]
        ).build(in: inventory)
        try await inventory.post(.deliver("P1", 10), key: "d1")
        try await inventory.post(.receive("P2", 10, cost: "2"), key: "r1")
        try await inventory.post(.transfer(.init(sku: "P2", qty: Fixed(3), from: "WH1", to: "WH2")), key: "t1")
        try await inventory.post(.deliver("P2", 1), key: "d2")
    }

    static func execute(_ sql: String, on fixture: StoreFixture) async throws {
        switch fixture.store {
        case let store as SQLiteLedgerStore: try await store.execute(unsafeSQL: sql)
        case let store as PostgresLedgerStore: try await store.execute(unsafeSQL: sql)
        default: Issue.record("no way to damage a \(type(of: fixture.store))")
        }
    }

    @Test("an average-cost item below zero with no unit cost is found", arguments: StoreKind.allCases)
    func averageWithoutFigure(kind: StoreKind) async throws {
        try await withLedger(kind) { fixture in
            try await Self.averageStory(fixture)
            #expect(try await fixture.inventory.verify() == [])
            // The state the ledger was left in before the figure was set from the standard cost.
            try await Self.execute(
                "UPDATE cost SET unit_cost = NULL WHERE scope = 'company' AND item_id = (SELECT id FROM item WHERE sku = 'P1')",
                on: fixture)
            let problems = try await fixture.inventory.verify()
            #expect(
                problems == [
                    "valuation: P1 in AVCO holds -10 units at average cost but has no unit cost, so its warehouses are worth nothing while its postings leave -10"
                ])
        }
    }

    @Test(
        "an average figure that does not value the warehouses at the company's value is found",
        arguments: StoreKind.allCases)
    func averageFigureDisagrees(kind: StoreKind) async throws {
        try await withLedger(kind) { fixture in
            try await Self.averageStory(fixture)
            let position = try await fixture.inventory.position(sku: "P2", at: "WH2")
            #expect(position.value == Fixed(6))
            try await Self.execute(
                "UPDATE cost SET unit_cost = 4000000 WHERE scope = 'company' AND item_id = (SELECT id FROM item WHERE sku = 'P2')",
                on: fixture)
            let problems = try await fixture.inventory.verify()
            #expect(
                problems == [
                    "valuation: P2 in AVCO is worth 36 over its warehouses (their quantities at the average 4) but its postings leave 18"
                ])
        }
    }

    @Test("a stored name the ledger does not know is corruption, not a default", arguments: StoreKind.allCases)
    func unknownStoredNames(kind: StoreKind) async throws {
        try await withLedger(kind) { fixture in
            try await TestWorld.standard.build(in: fixture.inventory)
            try await fixture.inventory.post(.receive("P1", 5, cost: "2"), key: "r1")
            try await fixture.inventory.post(.reserve(.init(sku: "P1", qty: Fixed(1), at: "WH1", order: "SO-1")))
            // Nothing cached yet on a fresh service: the damaged row is what a load reads.
            try await Self.execute("UPDATE move SET kind = 'teleport' WHERE reference = 'SO-1'", on: fixture)
            let fresh = Inventory(store: fixture.store, environment: .fixed(clock: fixture.clock, keys: fixture.keys))
            await #expect {
                _ = try await fresh.position(sku: "P1", at: "WH1")
            } throws: { error in
                "\(error)".contains("teleport")
            }
            try await Self.execute("UPDATE move SET kind = 'reserve' WHERE reference = 'SO-1'", on: fixture)
            try await Self.execute("UPDATE valuation_layer SET scope = 'nowhere' WHERE posting_id = 1", on: fixture)
            let again = Inventory(store: fixture.store, environment: .fixed(clock: fixture.clock, keys: fixture.keys))
            await #expect {
                _ = try await again.position(sku: "P1", at: "WH1")
            } throws: { error in
                "\(error)".contains("nowhere")
            }
        }
    }
}
