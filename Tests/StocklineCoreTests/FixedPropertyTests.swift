import PropertyBased
import StocklineCore
import Testing

/// An independent reference for "n / d rounded half away from zero to a multiple of `unit`", on magnitudes.
func referenceRound(_ numerator: Int128, over denominator: Int128, unit: Int128) -> Int128 {
    let negative = (numerator < 0) != (denominator < 0)
    let n = numerator.magnitude, d = denominator.magnitude * unit.magnitude
    var quotient = n / d
    if (n % d) * 2 >= d { quotient += 1 }
    let result = Int128(quotient) * unit
    return negative ? -result : result
}

func unit(places: Int) -> Int128 {
    var result: Int128 = 1
    for _ in 0..<(6 - places) { result *= 10 }
    return result
}

@Suite("Fixed: properties")
struct FixedPropertyTests {
    static let micros = Gen.int64(in: -999_999_999_999_999...999_999_999_999_999)
    static let small = Gen.int64(in: -99_999_999_999...99_999_999_999)
    static let places = Gen.int(in: 0...6)

    @Test("printing then parsing gives the same amount")
    func roundTrip() async {
        await propertyCheck(count: 500, input: Self.micros) { micros in
            let value = Fixed(micros: micros)
            #expect(Fixed(value.description) == value)
        }
    }

    @Test("rounding is symmetric around zero and lands on the requested places")
    func roundingSymmetric() async {
        await propertyCheck(count: 500, input: Self.micros, Self.places) { micros, places in
            let value = Fixed(micros: micros)
            let rounded = value.rounded(places: places)
            #expect((-value).rounded(places: places) == -rounded)
            #expect(rounded.micros % Int64(unit(places: places)) == 0)
            // Never further than half a step away.
            #expect((rounded - value).magnitude.micros * 2 <= Int64(unit(places: places)))
            #expect(Int128(rounded.micros) == referenceRound(Int128(micros), over: 1, unit: unit(places: places)))
        }
    }

    @Test("times, divided and scaled round the exact result once, half away from zero")
    func matchesReference() async {
        await propertyCheck(count: 500, input: Self.small, Self.small, Self.small, Self.places) { a, b, c, places in
            let x = Fixed(micros: a), y = Fixed(micros: b), z = Fixed(micros: c)
            let one = Int128(Fixed.one)
            #expect(
                Int128(x.times(y, places: places).micros)
                    == referenceRound(Int128(a) * Int128(b), over: one, unit: unit(places: places)))
            #expect(x.times(y, places: places) == y.times(x, places: places))
            if b != 0 {
                #expect(
                    Int128(x.divided(by: y, places: places).micros)
                        == referenceRound(Int128(a) * one, over: Int128(b), unit: unit(places: places)))
            } else {
                #expect(x.divided(by: y, places: places) == .zero)
            }
            if c != 0 {
                #expect(
                    Int128(x.scaled(by: y, over: z, places: places).micros)
                        == referenceRound(Int128(a) * Int128(b), over: Int128(c), unit: unit(places: places)))
            }
        }
    }

    @Test("proportional shares stay within half a cent of the exact share and sum exactly to the amount")
    func proportionalShares() async {
        let amounts = Gen.int64(in: -10_000_000...10_000_000)  // cents
        let weights = Gen.int(in: 1...5_000).array(of: 1...9)
        await propertyCheck(count: 500, input: amounts, weights) { cents, weights in
            let amount = Fixed(micros: cents * 10_000)
            let total = Fixed(weights.reduce(0, +))
            var shares: [Fixed] = []
            for weight in weights.dropLast() {
                shares.append(amount.scaled(by: Fixed(weight), over: total))
            }
            shares.append(amount - shares.reduce(.zero, +))
            #expect(shares.reduce(.zero, +) == amount)
            for (index, (share, weight)) in zip(shares, weights).enumerated() {
                #expect(share.isMultiple(of: dec("0.01")), "share \(share) is not in cents")
                // |share × total − amount × weight| ≤ half a cent × total (the last one carries every rounding).
                let error =
                    (Int128(share.micros) * Int128(total.micros) - Int128(amount.micros) * Int128(Fixed(weight).micros))
                    .magnitude
                let allowed =
                    UInt128(5_000) * UInt128(total.micros)
                    * UInt128(index == weights.count - 1 ? max(1, weights.count - 1) : 1)
                #expect(error <= allowed, "share \(index) of \(amount) by \(weights) is \(share)")
            }
        }
    }
}
