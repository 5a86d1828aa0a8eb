import Stockline
import StocklineCore
import StocklineStore
import StocklineTestSupport
import Testing

/// Minimal reproductions of what the randomized ledger test found, kept as regular tests (each asserts the behaviour
/// the spec and the ledger's own invariants require).
@Suite("regressions found by the randomized ledger test")
struct LedgerRegressionTests {
    /// Every quant of `sku` belongs to a lot the ledger knows (or to no lot).
    static func danglingLots(_ inventory: Inventory, sku: String) async throws -> [String] {
        let state = try await inventory.store.snapshot(StateRequest(skus: [sku]))
        let itemID = try state.itemID(sku: sku)
        guard let book = state.books[itemID] else { return ["\(sku) not loaded"] }
        return book.quants.values.compactMap { quant in
            guard let lot = quant.key.lotID, book.lots[lot] == nil else { return nil }
            return
                "a quant of \(quant.quantity) at location \(quant.key.locationID) has lot id \(lot), which no lot has"
        }
    }

    @Test(
        "a lot or serial never seen, taken from a warehouse allowing negative stock, gets a real lot or is refused",
        arguments: [
            StockOperation.deliver("OIL", Fixed(1), from: "NEG", lot: "L9"),
            .scrap(.init(sku: "OIL", qty: Fixed(2), from: "NEG", lot: "L9")),
            .deliver("ECU", Fixed(1), from: "NEG", serials: ["S404"]),
        ])
    func unknownLotInNegativeWarehouse(operation: StockOperation) async throws {
        try await withStandardWorld { inventory in
            let outcome = try await inventory.attempt(operation)
            let item = operation.stateRequest.skus.first ?? ""
            let lot = operation.stateRequest.lots.first ?? ""
            switch outcome {
            case .failure(let error):
                #expect(error.code == "insufficient_stock", "\(error)")
            case .success(let result):
                // Posted below zero: the shortfall must sit in the named lot, which must then exist.
                let dangling = try await Self.danglingLots(inventory, sku: item)
                #expect(dangling.isEmpty, "\(dangling)")
                let position = try await inventory.position(sku: item, at: "NEG", lot: lot)
                #expect(position.onHand == -result.quantity, "lot \(lot) at NEG holds \(position.onHand)")
            }
            #expect(try await inventory.verify().isEmpty)
        }
    }

    @Test(
        "a customer return can reverse a ship, or a delivery that shipped an order's reservation",
        arguments: [
            StockOperation.ship(.init(order: "SO-1")), .deliver("P1", Fixed(3), order: "SO-1"),
        ])
    func returnOfAnOrderShipment(shipment: StockOperation) async throws {
        try await withStandardWorld { inventory in
            try await inventory.post(.receive("P1", Fixed(5), cost: Fixed(10)))
            try await inventory.post(.reserve("P1", Fixed(3), order: "SO-1"))
            let shipped = try await inventory.post(shipment, key: "OUT-1")
            #expect(shipped.quantity == Fixed(3))
            #expect(try await inventory.costOfGoods(postingKey: "OUT-1") == Fixed(30))
            let returned = try await inventory.attempt(
                .returnFromCustomer(.init(sku: "P1", qty: Fixed(2), to: "WH1", of: "OUT-1")), key: "RET-1")
            switch returned {
            case .success(let result):
                #expect(result.value == Fixed(20), "a return comes back at the unit cost of the delivery it reverses")
            case .failure(let error):
                Issue.record("the return of \(shipment.kind.rawValue) OUT-1 was refused: \(error.code): \(error)")
            }
            #expect(try await inventory.position(sku: "P1", at: "WH1").onHand == Fixed(4))
            #expect(try await inventory.verify().isEmpty)
        }
    }

    @Test(
        "stock taken below zero where negative stock is allowed never leaves more reserved than on hand",
        arguments: [
            StockOperation.deliver("P1", Fixed(2), from: "NEG"),
            .scrap(.init(sku: "P1", qty: Fixed(2), from: "NEG")),
            .adjust(.init(sku: "P1", at: "NEG", qty: Fixed(-2), reason: "lost")),
            .transfer(.init(sku: "P1", qty: Fixed(2), from: "NEG", to: "WH1")),
        ])
    func negativeStockDoesNotOversellReservations(operation: StockOperation) async throws {
        try await withStandardWorld { inventory in
            try await inventory.post(.receive("P1", Fixed(5), at: "NEG"))
            try await inventory.post(.reserve("P1", Fixed(5), at: "NEG", order: "SO-1"))
            _ = try await inventory.attempt(operation)
            let position = try await inventory.position(sku: "P1", at: "NEG")
            #expect(
                position.reserved <= max(position.onHand, .zero),
                "\(position.reserved) reserved of \(position.onHand) on hand")
            let problems = try await inventory.verify()
            #expect(problems.isEmpty, "\(problems)")
        }
    }

    @Test("a count that takes part of a reservation leaves the rest reserved, shippable and releasable")
    func countTrimsReservationCleanly() async throws {
        try await withStandardWorld { inventory in
            try await inventory.post(.receive("P1", Fixed(10)))
            try await inventory.post(.reserve("P1", Fixed(5), order: "SO-1"))
            try await inventory.post(.count(.init(sku: "P1", at: "WH1", counted: Fixed(3))))
            let counted = try await inventory.position(sku: "P1", at: "WH1")
            #expect(counted.onHand == Fixed(3))
            #expect(counted.reserved <= Fixed(3))
            let problems = try await inventory.verify()
            #expect(problems.isEmpty, "after the count: \(problems)")
            // Whatever is still reserved for the order can be released; nothing stays reserved for no one.
            try await inventory.post(.unreserve(.init(order: "SO-1")))
            let released = try await inventory.position(sku: "P1", at: "WH1")
            #expect(
                released.reserved == .zero, "\(released.reserved) still reserved after the order released everything")
            #expect(released.available == Fixed(3))
            #expect(try await inventory.verify().isEmpty)
        }
    }

    @Test("what a count leaves reserved for an order ships with the order")
    func countTrimmedOrderStillShips() async throws {
        try await withStandardWorld { inventory in
            try await inventory.post(.receive("P1", Fixed(10)))
            try await inventory.post(.reserve("P1", Fixed(5), order: "SO-1"))
            try await inventory.post(.count(.init(sku: "P1", at: "WH1", counted: Fixed(3))))
            let reserved = try await inventory.position(sku: "P1", at: "WH1").reserved
            #expect(reserved == Fixed(3), "the count leaves 3 units, all of them claimed by SO-1")
            let shipped = try await inventory.attempt(.ship(.init(order: "SO-1")))
            #expect((try? shipped.get())?.quantity == reserved, "ship SO-1: \(shipped)")
            let after = try await inventory.position(sku: "P1", at: "WH1")
            #expect(after.onHand == Fixed(3) - ((try? shipped.get())?.quantity ?? .zero))
            #expect(after.reserved == .zero)
            #expect(try await inventory.verify().isEmpty)
        }
    }
}
