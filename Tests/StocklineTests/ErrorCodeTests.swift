import Stockline
import StocklineCore
import StocklineStore
import StocklineTestSupport
import Testing

/// Every refusal code of the scenario spec, each shown to leave the ledger exactly as it was.
@Suite("error codes: every refusal has its code and changes nothing")
struct ErrorCodeTests {
    @Test("insufficient_stock: delivering, reserving, transferring or scrapping more than is available")
    func insufficientStock() async throws {
        try await withStandardWorld { inventory in
            try await inventory.post(.receive("P1", Fixed(5)))
            try await inventory.post(.reserve("P1", Fixed(2), order: "SO-1"))
            let skus = ["P1"]
            let refusal = try await expectRefusal(
                "insufficient_stock", .deliver("P1", Fixed(4)), in: inventory, skus: skus)
            if case .insufficientStock(_, _, let available, let requested) = refusal {
                #expect(available == Fixed(3) && requested == Fixed(4), "the refusal names what is available")
            }
            try await expectRefusal(
                "insufficient_stock", .reserve("P1", Fixed(4), order: "SO-2"), in: inventory, skus: skus)
            try await expectRefusal(
                "insufficient_stock", .transfer(.init(sku: "P1", qty: Fixed(4), from: "WH1", to: "WH2")),
                in: inventory, skus: skus)
            try await expectRefusal(
                "insufficient_stock", .scrap(.init(sku: "P1", qty: Fixed(4), from: "WH1")),
                in: inventory, skus: skus)
            try await expectRefusal(
                "insufficient_stock", .deliver("P1", Fixed(1), from: "WH2"), in: inventory, skus: skus)
            // Exactly what is available still goes.
            try await inventory.post(.deliver("P1", Fixed(3)))
            #expect(try await inventory.position(sku: "P1", at: "WH1").available == .zero)
        }
    }

    @Test("insufficient_stock: a lot or serial that is not in stock")
    func insufficientStockOfLot() async throws {
        try await withStandardWorld { inventory in
            try await inventory.post(.receive("OIL", Fixed(10), lot: "L1"))
            try await inventory.post(.receive("ECU", Fixed(1), serials: ["S1"]))
            try await expectRefusal(
                "insufficient_stock", .deliver("OIL", Fixed(11), lot: "L1"), in: inventory,
                skus: ["OIL"], lots: [("OIL", "L1")])
            try await expectRefusal(
                "insufficient_stock", .deliver("OIL", Fixed(1), lot: "L2"), in: inventory,
                skus: ["OIL"], lots: [("OIL", "L1")])
            try await expectRefusal(
                "insufficient_stock", .deliver("ECU", Fixed(1), serials: ["S2"]), in: inventory,
                skus: ["ECU"])
        }
    }

    @Test("unknown_item: an SKU the ledger does not know")
    func unknownItem() async throws {
        try await withStandardWorld { inventory in
            try await inventory.post(.receive("P1", Fixed(5)))
            for operation: StockOperation in [
                .receive("NOPE", Fixed(1)), .deliver("NOPE", Fixed(1)), .reserve("NOPE", Fixed(1), order: "SO-1"),
                .count(.init(sku: "NOPE", at: "WH1", counted: Fixed(3))),
                .supersede(.init(old: "P1", new: "NOPE", mode: .oneWay)),
            ] {
                try await expectRefusal("unknown_item", operation, in: inventory, skus: ["P1"])
            }
        }
    }

    @Test("unknown_location: a warehouse or path that does not exist, or is not a stock location")
    func unknownLocation() async throws {
        try await withStandardWorld { inventory in
            try await inventory.post(.receive("P1", Fixed(5)))
            for operation: StockOperation in [
                .receive("P1", Fixed(1), at: "WH9"), .receive("P1", Fixed(1), at: "WH1/STOCK/NOPE"),
                .deliver("P1", Fixed(1), from: "WH9"), .deliver("P1", Fixed(1), from: "Partners/Customers"),
                .transfer(.init(sku: "P1", qty: Fixed(1), from: "WH1", to: "WH9")),
                .reserve("P1", Fixed(1), at: "Virtual/Scrap", order: "SO-1"),
            ] {
                try await expectRefusal("unknown_location", operation, in: inventory, skus: ["P1"])
            }
        }
    }

    @Test("unknown_order: shipping or unreserving an order with no open reservation")
    func unknownOrder() async throws {
        try await withStandardWorld { inventory in
            try await inventory.post(.receive("P1", Fixed(5)))
            try await inventory.post(.reserve("P1", Fixed(2), order: "SO-1"))
            try await expectRefusal("unknown_order", .ship(.init(order: "SO-404")), in: inventory, skus: ["P1"])
            try await expectRefusal("unknown_order", .unreserve(.init(order: "SO-404")), in: inventory, skus: ["P1"])
            // An order that was shipped has no open reservation left either.
            try await inventory.post(.ship(.init(order: "SO-1")))
            try await expectRefusal("unknown_order", .ship(.init(order: "SO-1")), in: inventory, skus: ["P1"])
            try await expectRefusal("unknown_order", .unreserve(.init(order: "SO-1")), in: inventory, skus: ["P1"])
        }
    }

    static let invalidQuantities: [(String, StockOperation)] = [
        ("receive zero", .receive("P1", .zero)),
        ("receive negative", .receive("P1", Fixed(-1))),
        ("deliver zero", .deliver("P1", .zero)),
        ("deliver negative", .deliver("P1", Fixed(-2))),
        ("reserve negative", .reserve("P1", Fixed(-1), order: "SO-1")),
        ("transfer zero", .transfer(.init(sku: "P1", qty: .zero, from: "WH1", to: "WH2"))),
        ("scrap negative", .scrap(.init(sku: "P1", qty: Fixed(-1), from: "WH1"))),
        ("count negative", .count(.init(sku: "P1", at: "WH1", counted: Fixed(-1)))),
        ("adjust zero", .adjust(.init(sku: "P1", at: "WH1", qty: .zero, reason: "test"))),
        ("half a unit", .receive("P1", dec("0.5"))),
        ("half a unit delivered", .deliver("P1", dec("1.5"))),
        ("finer than a gram", .receive("FLOUR", dec("0.0005"))),
        ("half a bolt in boxes", .receive("BOLT", dec("0.01"), uom: "box")),
        ("finer than a millilitre", .receive("OIL", dec("0.0001"), lot: "L1", uom: "l")),
    ]

    @Test("invalid_quantity: zero, negative, or finer than the unit's precision", arguments: invalidQuantities)
    func invalidQuantity(label: String, operation: StockOperation) async throws {
        try await withStandardWorld { inventory in
            try await inventory.post(.receive("P1", Fixed(5)))
            try await inventory.post(.receive("FLOUR", Fixed(5)))
            try await expectRefusal("invalid_quantity", operation, in: inventory, skus: ["P1", "FLOUR", "BOLT", "OIL"])
        }
    }

    @Test("uom_mismatch: a unit of another category, or one the item does not know")
    func uomMismatch() async throws {
        try await withStandardWorld { inventory in
            try await inventory.post(.receive("P1", Fixed(5)))
            for operation: StockOperation in [
                .receive("P1", Fixed(1), uom: "kg"), .receive("FLOUR", Fixed(1), uom: "l"),
                .deliver("P1", Fixed(1), uom: "m"), .receive("FLOUR", Fixed(1), uom: "parsec"),
                .receive("P1", Fixed(1), uom: "box"), .receive("OIL", Fixed(1), lot: "L1", uom: "kg"),
            ] {
                try await expectRefusal("uom_mismatch", operation, in: inventory, skus: ["P1", "FLOUR", "OIL"])
            }
            // The same units inside the category are converted.
            try await inventory.post(.receive("FLOUR", Fixed(1500), cost: dec("0.002"), uom: "g"))
            try await inventory.post(.receive("BOLT", Fixed(2), cost: Fixed(25), uom: "box"))
            #expect(try await inventory.position(sku: "FLOUR", at: "WH1").onHand == dec("1.5"))
            #expect(try await inventory.position(sku: "BOLT", at: "WH1").onHand == Fixed(100))
        }
    }

    @Test("lot_required: incoming stock of a lot-tracked item without a lot")
    func lotRequired() async throws {
        try await withStandardWorld { inventory in
            try await inventory.post(.receive("OIL", Fixed(10), lot: "L1"))
            for operation: StockOperation in [
                .receive("OIL", Fixed(1)),
                .receive("OIL", Fixed(1), lot: ""),
                .adjust(.init(sku: "OIL", at: "WH1", qty: Fixed(1), reason: "found")),
                .count(.init(sku: "OIL", at: "WH1", counted: Fixed(12))),
                .produce(.init(sku: "OIL", qty: Fixed(1), at: "WH1")),
            ] {
                try await expectRefusal("lot_required", operation, in: inventory, skus: ["OIL"], lots: [("OIL", "L1")])
            }
        }
    }

    @Test("serial_required: incoming stock of a serial-tracked item without serial numbers")
    func serialRequired() async throws {
        try await withStandardWorld { inventory in
            try await inventory.post(.receive("ECU", Fixed(1), serials: ["S1"]))
            for operation: StockOperation in [
                .receive("ECU", Fixed(1)), .receive("ECU", Fixed(1), serials: []),
                .adjust(.init(sku: "ECU", at: "WH1", qty: Fixed(1), reason: "found")),
                .returnFromCustomer(.init(sku: "ECU", qty: Fixed(1), to: "WH1")),
            ] {
                try await expectRefusal("serial_required", operation, in: inventory, skus: ["ECU"])
            }
        }
    }

    @Test("duplicate_serial: a serial already in stock, or twice in one command")
    func duplicateSerial() async throws {
        try await withStandardWorld { inventory in
            try await inventory.post(.receive("ECU", Fixed(2), serials: ["S1", "S2"]))
            try await inventory.post(
                .transfer(
                    .init(
                        sku: "ECU", qty: Fixed(1), from: "WH1", to: "WH2",
                        serials: ["S2"], transit: true)))
            for operation: StockOperation in [
                .receive("ECU", Fixed(1), serials: ["S1"]),
                .receive("ECU", Fixed(1), at: "WH2", serials: ["S1"]),
                .receive("ECU", Fixed(2), serials: ["S3", "S3"]),
                // S2 is in transit: still in stock.
                .receive("ECU", Fixed(1), serials: ["S2"]),
                .returnFromCustomer(.init(sku: "ECU", qty: Fixed(1), to: "WH1", serials: ["S1"])),
            ] {
                try await expectRefusal("duplicate_serial", operation, in: inventory, skus: ["ECU"])
            }
            // Once S1 has left, it may come back.
            try await inventory.post(.deliver("ECU", Fixed(1), serials: ["S1"]))
            try await inventory.post(.returnFromCustomer(.init(sku: "ECU", qty: Fixed(1), to: "WH1", serials: ["S1"])))
            #expect(try await inventory.position(sku: "ECU", at: "WH1").onHand == Fixed(1))
        }
    }

    @Test("serial_quantity: a serial-tracked quantity other than one unit per serial")
    func serialQuantity() async throws {
        try await withStandardWorld { inventory in
            try await inventory.post(.receive("ECU", Fixed(2), serials: ["S1", "S2"]))
            for operation: StockOperation in [
                .receive("ECU", Fixed(2), serials: ["S9"]),
                .receive("ECU", Fixed(1), serials: ["S8", "S9"]),
                .deliver("ECU", Fixed(1), serials: ["S1", "S2"]),
                .deliver("ECU", Fixed(2), serials: ["S1"]),
                .transfer(.init(sku: "ECU", qty: Fixed(2), from: "WH1", to: "WH2", serials: ["S1"])),
            ] {
                try await expectRefusal("serial_quantity", operation, in: inventory, skus: ["ECU"])
            }
        }
    }

    @Test("obsolete_item: new demand on an item retired by a one-way supersession")
    func obsoleteItem() async throws {
        try await withStandardWorld { inventory in
            try await inventory.post(.receive("P1", Fixed(10)))
            try await inventory.post(.reserve("P1", Fixed(2), order: "SO-OLD"))
            try await inventory.post(.supersede(.init(old: "P1", new: "P2", mode: .oneWay)))
            let skus = ["P1", "P2"]
            try await expectRefusal("obsolete_item", .deliver("P1", Fixed(1)), in: inventory, skus: skus)
            try await expectRefusal(
                "obsolete_item", .reserve("P1", Fixed(1), order: "SO-NEW"), in: inventory, skus: skus)
            // Demand placed before the change still ships.
            try await inventory.post(.ship(.init(order: "SO-OLD")))
            #expect(try await inventory.position(sku: "P1", at: "WH1").onHand == Fixed(8))
        }
    }

    @Test("obsolete_item names the successor to order instead")
    func obsoleteItemNamesSuccessor() async throws {
        try await withStandardWorld { inventory in
            try await inventory.post(.receive("P1", Fixed(10)))
            try await inventory.post(.supersede(.init(old: "P1", new: "P2", mode: .oneWay)))
            let refusal = try await expectRefusal(
                "obsolete_item", .deliver("P1", Fixed(1)), in: inventory, skus: ["P1"])
            guard case .obsoleteItem(let sku, let successor) = refusal else { return }
            #expect(sku == "P1")
            #expect(
                successor == "P2",
                "the refusal should name the successor: \(refusal.map(String.init(describing:)) ?? "")")
        }
    }

    @Test("a two-way supersession retires nothing")
    func twoWaySupersessionKeepsDemand() async throws {
        try await withStandardWorld { inventory in
            try await inventory.post(.receive("P1", Fixed(10)))
            try await inventory.post(.supersede(.init(old: "P1", new: "P2", mode: .twoWay)))
            try await inventory.post(.deliver("P1", Fixed(1)))
            try await inventory.post(.reserve("P1", Fixed(1), order: "SO-1"))
            #expect(try await inventory.position(sku: "P1", at: "WH1").available == Fixed(8))
        }
    }

    @Test("invalid_state: arriving more than was shipped into transit")
    func arriveMoreThanShipped() async throws {
        try await withStandardWorld { inventory in
            try await inventory.post(.receive("P1", Fixed(5)))
            try await inventory.post(
                .transfer(.init(sku: "P1", qty: Fixed(3), from: "WH1", to: "WH2", transit: true)),
                key: "T1")
            try await expectRefusal(
                "invalid_state", .arrive(.init(transfer: "T1", qty: Fixed(4))), in: inventory, skus: ["P1"])
            try await inventory.post(.arrive(.init(transfer: "T1", qty: Fixed(2))))
            try await expectRefusal(
                "invalid_state", .arrive(.init(transfer: "T1", qty: Fixed(2))), in: inventory, skus: ["P1"])
            try await inventory.post(.arrive(.init(transfer: "T1")))
            try await expectRefusal(
                "invalid_state", .arrive(.init(transfer: "T1", qty: Fixed(1))), in: inventory, skus: ["P1"])
            try await expectRefusal("invalid_state", .arrive(.init(transfer: "T1")), in: inventory, skus: ["P1"])
            let wh2 = try await inventory.position(sku: "P1", at: "WH2")
            #expect(wh2.onHand == Fixed(3) && wh2.inTransit == .zero)
        }
    }

    @Test("invalid_state: set_cost under FIFO")
    func setCostUnderFIFO() async throws {
        try await withStandardWorld { inventory in
            try await inventory.post(.receive("P1", Fixed(5), cost: Fixed(4)))
            try await expectRefusal(
                "invalid_state", .setCost(.init(sku: "P1", unitCost: Fixed(7))), in: inventory, skus: ["P1"])
            try await expectRefusal(
                "invalid_state", .setCost(.init(sku: "P1", unitCost: Fixed(7), company: "ACME")),
                in: inventory, skus: ["P1"])
            #expect(try await inventory.position(sku: "P1", at: "WH1").value == Fixed(20))
        }
    }

    @Test("set_cost is accepted under average cost (the contrast to the FIFO refusal)")
    func setCostUnderAverage() async throws {
        try await withTemporaryLedger { ledger in
            let inventory = ledger.inventory
            try await TestWorld(
                companies: [.init("AVG", costing: .average)], warehouses: [.init("WH1")],
                items: [.init("P1")]
            ).build(in: inventory)
            try await inventory.post(.receive("P1", Fixed(5), cost: Fixed(4)))
            try await inventory.post(.setCost(.init(sku: "P1", unitCost: Fixed(7))))
            #expect(try await inventory.position(sku: "P1", at: "WH1").value == Fixed(35))
            #expect(try await inventory.verify().isEmpty)
        }
    }

    @Test("idempotency_key_reused: the same key for a different command")
    func idempotencyKeyReused() async throws {
        try await withStandardWorld { inventory in
            try await inventory.post(.receive("P1", Fixed(5)), key: "K1")
            let skus = ["P1", "P2"]
            try await expectRefusal(
                "idempotency_key_reused", .deliver("P1", Fixed(1)), key: "K1", in: inventory, skus: skus)
            try await expectRefusal(
                "idempotency_key_reused", .receive("P1", Fixed(6)), key: "K1", in: inventory, skus: skus)
            try await expectRefusal(
                "idempotency_key_reused", .receive("P2", Fixed(5)), key: "K1", in: inventory, skus: skus)
            #expect(try await inventory.position(sku: "P1", at: "WH1").onHand == Fixed(5))
        }
    }
}
