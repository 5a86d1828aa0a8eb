import Stockline
import StocklineCore
import StocklineStore
import StocklineTestSupport
import Testing

@Suite("concurrency: racing writers never oversell")
struct ConcurrencyTests {
    /// Races `tasks` one-unit reservations (distinct orders) spread over `inventories`; returns the outcomes by order.
    static func race(_ tasks: Int, over inventories: [Inventory]) async throws -> [String: Result<
        PostingResult, StockError
    >] {
        try await withThrowingTaskGroup(of: (String, Result<PostingResult, StockError>).self) { group in
            for index in 0..<tasks {
                let inventory = inventories[index % inventories.count]
                let order = "SO-\(index)"
                group.addTask { (order, try await inventory.attempt(.reserve("P1", Fixed(1), order: order))) }
            }
            var outcomes: [String: Result<PostingResult, StockError>] = [:]
            for try await (order, outcome) in group { outcomes[order] = outcome }
            return outcomes
        }
    }

    static func check(_ outcomes: [String: Result<PostingResult, StockError>], inventory: Inventory) async throws {
        #expect(outcomes.count == 64)
        var succeeded: [String] = []
        var codes: [String: Int] = [:]
        for (order, outcome) in outcomes {
            switch outcome {
            case .success: succeeded.append(order)
            case .failure(let error): codes[error.code, default: 0] += 1
            }
        }
        #expect(succeeded.count == 10, "exactly the available 10 units are reserved")
        #expect(codes == ["insufficient_stock": 54], "every other order is refused for lack of stock: \(codes)")
        let position = try await inventory.position(sku: "P1", at: "WH1")
        #expect(position.onHand == Fixed(10))
        #expect(position.reserved == Fixed(10))
        #expect(position.available == .zero)
        #expect(try await inventory.verify().isEmpty)
        #expect(try await inventory.store.counts().postings == 1 + 10)
        // Each successful order holds exactly its unit and can ship it.
        for order in succeeded {
            let shipped = try await inventory.post(.ship(.init(order: order)))
            #expect(shipped.quantity == Fixed(1))
        }
        #expect(try await inventory.position(sku: "P1", at: "WH1").onHand == .zero)
        #expect(try await inventory.verify().isEmpty)
    }

    @Test("64 tasks race to reserve 1 unit each of 10 available: 10 succeed, 54 get insufficient_stock")
    func reservationRace() async throws {
        try await withStandardWorld { inventory in
            try await inventory.post(.receive("P1", Fixed(10)))
            let outcomes = try await Self.race(64, over: [inventory])
            try await Self.check(outcomes, inventory: inventory)
        }
    }

    @Test("the same race through four service instances on one database file")
    func reservationRaceAcrossInstances() async throws {
        try await withTemporaryLedger { ledger in
            try await TestWorld.standard.build(in: ledger.inventory)
            try await ledger.inventory.post(.receive("P1", Fixed(10)))
            var inventories = [ledger.inventory]
            for _ in 0..<3 { inventories.append(try await ledger.openAgain()) }
            let outcomes = try await Self.race(64, over: inventories)
            try await Self.check(outcomes, inventory: ledger.inventory)
        }
    }

    @Test("deliveries and reservations racing for the same units never take more than there is")
    func mixedRace() async throws {
        try await withStandardWorld { inventory in
            try await inventory.post(.receive("P1", Fixed(10)))
            let outcomes = try await withThrowingTaskGroup(of: (Bool, Result<PostingResult, StockError>).self) {
                group in
                for index in 0..<64 {
                    let delivers = index.isMultiple(of: 2)
                    let operation: StockOperation =
                        delivers
                        ? .deliver("P1", Fixed(1)) : .reserve("P1", Fixed(1), order: "SO-\(index)")
                    group.addTask { (delivers, try await inventory.attempt(operation)) }
                }
                var all: [(Bool, Result<PostingResult, StockError>)] = []
                for try await outcome in group { all.append(outcome) }
                return all
            }
            let delivered = outcomes.filter { $0.0 && (try? $0.1.get()) != nil }.count
            let reserved = outcomes.filter { !$0.0 && (try? $0.1.get()) != nil }.count
            let refusals = outcomes.compactMap { outcome -> String? in
                if case .failure(let error) = outcome.1 { return error.code }
                return nil
            }
            #expect(delivered + reserved == 10)
            #expect(refusals.count == 54 && refusals.allSatisfy { $0 == "insufficient_stock" })
            let position = try await inventory.position(sku: "P1", at: "WH1")
            #expect(position.onHand == Fixed(10 - delivered))
            #expect(position.reserved == Fixed(reserved))
            #expect(position.available == .zero)
            #expect(try await inventory.verify().isEmpty)
        }
    }
}
