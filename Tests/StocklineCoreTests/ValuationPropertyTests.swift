import PropertyBased
import StocklineCore
import Testing

/// One step of a generated history: a receipt (`quantity` units at `unitCost` millionths) or a delivery.
struct HistoryStep: Sendable, CustomStringConvertible {
    var receive: Bool
    var quantity: Int
    var unitCostMicros: Int64

    var description: String {
        receive ? "receive \(quantity) @ \(Fixed(micros: unitCostMicros))" : "deliver \(quantity)"
    }
}

/// FIFO as the scenario spec words it, written independently of the planner: a part of a layer is valued at
/// `remaining value × qty / remaining qty`, rounded to the cent; the last units of a layer take its remaining value.
struct ReferenceFIFO {
    var layers: [(quantity: Fixed, value: Fixed)] = []

    mutating func receive(_ quantity: Fixed, unitCost: Fixed) -> Fixed {
        let value = quantity.times(unitCost, places: 2)
        layers.append((quantity, value))
        return value
    }

    mutating func issue(_ quantity: Fixed) -> Fixed {
        var left = quantity
        var value = Fixed.zero
        while left.isPositive, !layers.isEmpty {
            let layer = layers[0]
            if left >= layer.quantity {
                value += layer.value
                left -= layer.quantity
                layers.removeFirst()
            } else {
                let part = layer.value.scaled(by: left, over: layer.quantity)
                value += part
                layers[0] = (layer.quantity - left, layer.value - part)
                left = .zero
            }
        }
        return value
    }
}

@Suite("Valuation: properties of the planner's costing")
struct ValuationPropertyTests {
    static let history = zip(Gen.bool(0.45), Gen.int(in: 1...40), Gen.int64(in: 1...99_999_999))
        .map { HistoryStep(receive: $0, quantity: $1, unitCostMicros: $2) }
        .array(of: 1...40)

    @Test("FIFO values each delivery like the reference and returns to exactly zero when the stock is gone")
    func fifoMatchesReference() async {
        await propertyCheck(count: 200, input: Self.history) { steps in
            var world = CoreWorld(costing: .fifo, items: [item("P1")])
            var reference = ReferenceFIFO()
            var onHand = 0
            var received = Fixed.zero, delivered = Fixed.zero
            for step in steps + [HistoryStep(receive: false, quantity: Int.max, unitCostMicros: 0)] {
                if step.receive {
                    let cost = Fixed(micros: step.unitCostMicros)
                    let expected = reference.receive(Fixed(step.quantity), unitCost: cost)
                    guard
                        case .success(let result) = world.post(
                            .receive(
                                .init(
                                    sku: "P1", qty: Fixed(step.quantity),
                                    at: "WH1", unitCost: cost)))
                    else {
                        Issue.record("receipt refused at \(step)")
                        return
                    }
                    #expect(result.value == expected, "receipt value at \(step)")
                    received += result.value
                    onHand += step.quantity
                } else {
                    let quantity = min(step.quantity, onHand)
                    guard quantity > 0 else { continue }
                    let expected = reference.issue(Fixed(quantity))
                    guard
                        case .success(let result) = world.post(
                            .deliver(.init(sku: "P1", qty: Fixed(quantity), from: "WH1")))
                    else {
                        Issue.record("delivery of \(quantity) refused with \(onHand) on hand")
                        return
                    }
                    #expect(-result.value == expected, "delivery of \(quantity) after \(steps)")
                    delivered += -result.value
                    onHand -= quantity
                }
                #expect(world.onHand("P1") == Fixed(onHand))
            }
            #expect(onHand == 0)
            #expect(world.companyQuantity("P1") == .zero)
            #expect(world.companyValue("P1") == .zero, "value left with no stock after \(steps)")
            #expect(received == delivered)
        }
    }

    @Test("average cost values deliveries at qty × average and returns to exactly zero when the stock is gone")
    func averageReturnsToZero() async {
        await propertyCheck(count: 200, input: Self.history) { steps in
            var world = CoreWorld(costing: .average, items: [item("P1")])
            var onHand = 0
            var received = Fixed.zero, delivered = Fixed.zero
            for step in steps + [HistoryStep(receive: false, quantity: Int.max, unitCostMicros: 0)] {
                if step.receive {
                    let cost = Fixed(micros: step.unitCostMicros)
                    guard
                        case .success(let result) = world.post(
                            .receive(
                                .init(
                                    sku: "P1", qty: Fixed(step.quantity),
                                    at: "WH1", unitCost: cost)))
                    else {
                        Issue.record("receipt refused at \(step)")
                        return
                    }
                    #expect(result.value == Fixed(step.quantity).times(cost, places: 2))
                    received += result.value
                    onHand += step.quantity
                } else {
                    let quantity = min(step.quantity, onHand)
                    guard quantity > 0 else { continue }
                    let valueBefore = world.companyValue("P1")
                    let average = world.figure("P1")
                    guard
                        case .success(let result) = world.post(
                            .deliver(.init(sku: "P1", qty: Fixed(quantity), from: "WH1")))
                    else {
                        Issue.record("delivery of \(quantity) refused with \(onHand) on hand")
                        return
                    }
                    let value = -result.value
                    if quantity == onHand {
                        #expect(value == valueBefore, "the last units take exactly the remaining value")
                    } else {
                        // qty × the average figure (kept to six decimals), rounded to the cent; the figure moves only
                        // with receipts, and stays within rounding of value / quantity.
                        #expect(
                            value == Fixed(quantity).times(average, places: 2),
                            "\(quantity) at average \(average): \(value)")
                        let drift = (valueBefore.divided(by: Fixed(onHand)) - average).magnitude
                        #expect(
                            drift <= Fixed(micros: 10_000),
                            "the figure \(average) drifted from value / quantity by \(drift)")
                    }
                    delivered += value
                    onHand -= quantity
                }
            }
            #expect(world.companyQuantity("P1") == .zero)
            #expect(world.companyValue("P1") == .zero, "value left with no stock after \(steps)")
            #expect(received == delivered)
        }
    }

    @Test("a partial FIFO layer is valued proportionally and the last unit takes the remainder")
    func partialLayer() throws {
        var world = CoreWorld(items: [item("P1")])
        _ = world.post(.receive(.init(sku: "P1", qty: Fixed(3), at: "WH1", unitCost: Fixed(10) / 3)))
        // 3 × 3.333333 = 9.999999 -> 10.00 posted.
        let first = world.post(.deliver(.init(sku: "P1", qty: Fixed(1), from: "WH1")))
        let second = world.post(.deliver(.init(sku: "P1", qty: Fixed(1), from: "WH1")))
        let third = world.post(.deliver(.init(sku: "P1", qty: Fixed(1), from: "WH1")))
        #expect(try first.get().value == dec("-3.33"))
        // 6.67 left for 2 units: 3.335 rounds half away to 3.34.
        #expect(try second.get().value == dec("-3.34"))
        #expect(try third.get().value == dec("-3.33"))
        #expect(world.companyValue("P1") == .zero)
    }
}

extension Fixed {
    static func / (lhs: Fixed, rhs: Int) -> Fixed { lhs.divided(by: Fixed(rhs)) }
}
