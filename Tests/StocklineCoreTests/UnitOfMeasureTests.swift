import StocklineCore
import Testing

@Suite("Units of measure: conversion inside a category, precision, uom_mismatch")
struct UnitOfMeasureTests {
    @Test("built-in units have the documented categories and precisions")
    func builtIn() {
        let units = UnitOfMeasure.builtIn
        #expect(Set(units.keys) == ["unit", "kg", "g", "t", "lb", "l", "ml", "m", "cm", "mm"])
        #expect(units["unit"]?.precision == Fixed(1))
        for name in ["kg", "g", "t", "lb", "l", "ml", "m", "cm", "mm"] {
            #expect(units[name]?.precision == dec("0.001"), "\(name)")
        }
        #expect(units["kg"]?.category == .weight && units["lb"]?.category == .weight)
        #expect(units["ml"]?.category == .volume && units["cm"]?.category == .length)
    }

    @Test(
        "converts to the base unit inside a category",
        arguments: [
            ("kg", "1000", "g", "1"), ("kg", "2", "t", "2000"), ("kg", "1", "lb", "0.454"), ("kg", "10", "lb", "4.536"),
            ("kg", "3", "lb", "1.361"),
            ("g", "1", "kg", "1000"), ("l", "500", "ml", "0.5"), ("ml", "0.25", "l", "250"), ("m", "250", "cm", "2.5"),
            ("mm", "1", "m", "1000"), ("kg", "5", "kg", "5"),
        ])
    func converts(base: String, quantity: String, unit: String, expected: String) throws {
        let flour = item("X", uom: base)
        #expect(try flour.toBase(dec(quantity), unitName: unit) == dec(expected))
    }

    @Test("no unit named means the base unit")
    func baseUnit() throws {
        #expect(try item("X", uom: "kg").toBase(dec("1.25"), unitName: nil) == dec("1.25"))
    }

    @Test("packs convert by their base quantity")
    func packs() throws {
        let bolt = item("BOLT", packs: ["box": Fixed(50), "pallet": Fixed(2400)])
        #expect(try bolt.toBase(Fixed(2), unitName: "box") == Fixed(100))
        #expect(try bolt.toBase(dec("0.5"), unitName: "box") == Fixed(25))
        #expect(try bolt.toBase(Fixed(1), unitName: "pallet") == Fixed(2400))
    }

    @Test(
        "a unit of another category, or no known unit, is uom_mismatch",
        arguments: [
            ("unit", "kg"), ("kg", "l"), ("l", "kg"), ("m", "unit"), ("kg", "parsec"), ("unit", "box"), ("kg", "mm"),
        ])
    func mismatch(base: String, unit: String) {
        let thing = item("X", uom: base)
        #expect {
            _ = try thing.toBase(Fixed(1), unitName: unit)
        } throws: { error in
            (error as? StockError)?.code == "uom_mismatch"
        }
    }

    @Test("the planner refuses quantities finer than the unit's precision, zero and negative ones")
    func plannerQuantities() {
        var world = CoreWorld(items: [item("P1"), item("FLOUR", uom: "kg"), item("BOLT", packs: ["box": Fixed(50)])])
        func code(_ operation: StockOperation) -> String? {
            if case .failure(let error) = world.post(operation) { return error.code }
            return nil
        }
        #expect(code(.receive(.init(sku: "P1", qty: dec("0.5"), at: "WH1"))) == "invalid_quantity")
        #expect(code(.receive(.init(sku: "FLOUR", qty: dec("0.0005"), at: "WH1"))) == "invalid_quantity")
        // 0.01 box is half a bolt.
        #expect(code(.receive(.init(sku: "BOLT", qty: dec("0.01"), at: "WH1", uom: "box"))) == "invalid_quantity")
        #expect(code(.receive(.init(sku: "P1", qty: .zero, at: "WH1"))) == "invalid_quantity")
        #expect(code(.receive(.init(sku: "P1", qty: Fixed(-2), at: "WH1"))) == "invalid_quantity")
        #expect(code(.receive(.init(sku: "P1", qty: Fixed(1), at: "WH1", uom: "kg"))) == "uom_mismatch")
        #expect(world.state.changes.isEmpty, "a refusal changed the planned state")
        // The same units at the precision are accepted and converted.
        #expect(
            code(.receive(.init(sku: "FLOUR", qty: dec("1500"), at: "WH1", unitCost: dec("0.002"), uom: "g"))) == nil)
        #expect(code(.receive(.init(sku: "BOLT", qty: Fixed(2), at: "WH1", unitCost: Fixed(25), uom: "box"))) == nil)
        #expect(world.onHand("FLOUR") == dec("1.5"))
        #expect(world.onHand("BOLT") == Fixed(100))
        // 2 boxes at 25 per box is worth 50.
        #expect(world.companyValue("BOLT") == Fixed(50))
    }
}
