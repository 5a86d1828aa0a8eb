import Foundation
import StocklineCore
import Testing

/// Shorthand for a decimal literal in tests; fails the test (not the process) on a typo.
func dec(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Fixed {
    guard let value = Fixed(text) else {
        Issue.record("\(text) is not a decimal Fixed can parse", sourceLocation: sourceLocation)
        return .zero
    }
    return value
}

@Suite("Fixed: exact decimals")
struct FixedTests {
    // MARK: - Parsing and printing

    @Test(
        "parses plain decimals into millionths",
        arguments: [
            ("12", Int64(12_000_000)), ("-0.5", -500_000), ("+3.25", 3_250_000), (".5", 500_000), ("0.000001", 1),
            ("-0.000001", -1), ("  7 ", 7_000_000), ("000012.500000", 12_500_000),
            ("999999999999.999999", 999_999_999_999_999_999),
            ("-0", 0),
        ])
    func parses(text: String, micros: Int64) {
        #expect(Fixed(text)?.micros == micros)
    }

    @Test(
        "refuses what is not a plain decimal with at most six fractional digits",
        arguments: [
            "", "-", "+", ".", "abc", "1.2.3", "1e3", "1,5", "0.1234567", "--1", "1 000", "0x10", "1234567890123",
            "1.-5", "½",
        ])
    func refuses(text: String) {
        #expect(Fixed(text) == nil, "\(text) should not parse")
    }

    @Test(
        "prints the shortest exact decimal",
        arguments: [
            (Int64(1_500_000), "1.5"), (0, "0"), (-1, "-0.000001"), (-500_000, "-0.5"), (100_000_000, "100"),
            (123_456_789, "123.456789"), (10_000, "0.01"),
        ])
    func prints(micros: Int64, text: String) {
        #expect(Fixed(micros: micros).description == text)
    }

    @Test("formats to a fixed number of places, rounding half away from zero")
    func formats() {
        #expect(dec("1.005").formatted(places: 2) == "1.01")
        #expect(dec("-1.005").formatted(places: 2) == "-1.01")
        #expect(Fixed(3).formatted(places: 2) == "3.00")
        #expect(dec("-0.5").formatted(places: 2) == "-0.50")
        #expect(dec("2.5").formatted(places: 0) == "3")
    }

    @Test("decodes numbers and strings exactly, encodes as a JSON number with the exact digits")
    func codable() throws {
        let decoded = try JSONDecoder().decode([Fixed].self, from: Data(#"["1.5", 3, 0.1, -2.25, "0.000001"]"#.utf8))
        #expect(decoded == [dec("1.5"), Fixed(3), dec("0.1"), dec("-2.25"), Fixed(micros: 1)])
        let encoded = String(
            decoding: try JSONEncoder().encode([dec("-0.5"), Fixed(7), dec("166.67"), dec("0.1")]), as: UTF8.self)
        #expect(encoded == #"[-0.5,7,166.67,0.1]"#)
        #expect(throws: (any Error).self) { try JSONDecoder().decode([Fixed].self, from: Data(#"["abc"]"#.utf8)) }
    }

    // MARK: - Rounding

    @Test(
        "rounds half away from zero, also for negative amounts",
        arguments: [
            ("1.005", 2, "1.01"), ("-1.005", 2, "-1.01"), ("1.004999", 2, "1"), ("-1.004999", 2, "-1"), ("2.5", 0, "3"),
            ("-2.5", 0, "-3"), ("0.5", 0, "1"), ("-0.5", 0, "-1"), ("0.4999", 0, "0"), ("0.000005", 5, "0.00001"),
            ("-0.000005", 5, "-0.00001"), ("12.344", 2, "12.34"), ("-12.345", 2, "-12.35"), ("7.1", 6, "7.1"),
        ])
    func rounds(text: String, places: Int, expected: String) {
        #expect(dec(text).rounded(places: places) == dec(expected))
    }

    @Test("money rounds to the minor unit")
    func roundedMoney() {
        #expect(dec("10.125").roundedMoney == dec("10.13"))
        #expect(dec("-10.125").roundedMoney == dec("-10.13"))
        #expect(dec("10.124999").roundedMoney == dec("10.12"))
    }

    // MARK: - Arithmetic

    @Test("adds, subtracts and compares exactly")
    func additive() {
        #expect(dec("0.1") + dec("0.2") == dec("0.3"))
        #expect(dec("0.3") - dec("0.1") == dec("0.2"))
        #expect(-dec("1.5") == dec("-1.5"))
        #expect(dec("-0.000001") < .zero)
        #expect(dec("2.5").magnitude == dec("-2.5").magnitude)
        var sum = Fixed.zero
        for _ in 0..<10 { sum += dec("0.1") }
        #expect(sum == Fixed(1))
        #expect(dec("-3").isNegative && dec("3").isPositive && Fixed.zero.isZero)
    }

    @Test("multiplies with one rounding to the requested places")
    func times() {
        #expect(dec("1.5").times(Fixed(2)) == Fixed(3))
        #expect(dec("0.333333").times(Fixed(3)) == dec("0.999999"))
        #expect(dec("0.125").times(Fixed(1), places: 2) == dec("0.13"))
        #expect(dec("-0.125").times(Fixed(1), places: 2) == dec("-0.13"))
        #expect(dec("0.000001").times(dec("0.5")) == dec("0.000001"))
        #expect(dec("-0.000001").times(dec("0.5")) == dec("-0.000001"))
        #expect(dec("0.000001").times(dec("0.4")) == .zero)
        #expect(dec("3").times(dec("-2.5")) == dec("-7.5"))
        // 10,000,000 × 12.345678 does not fit 64 bits in millionths on the way; the result does.
        #expect(Fixed(10_000_000).times(dec("12.345678")) == Fixed(123_456_780))
    }

    @Test("divides with half-away-from-zero rounding; dividing by zero gives zero")
    func divided() {
        #expect(Fixed(10).divided(by: Fixed(3)) == dec("3.333333"))
        #expect(Fixed(20).divided(by: Fixed(3)) == dec("6.666667"))
        #expect(Fixed(-20).divided(by: Fixed(3)) == dec("-6.666667"))
        #expect(Fixed(20).divided(by: Fixed(-3)) == dec("-6.666667"))
        #expect(Fixed(-20).divided(by: Fixed(-3)) == dec("6.666667"))
        #expect(Fixed(1).divided(by: Fixed(8), places: 2) == dec("0.13"))
        #expect(Fixed(-1).divided(by: Fixed(8), places: 2) == dec("-0.13"))
        #expect(Fixed(1).divided(by: Fixed(-8), places: 2) == dec("-0.13"))
        #expect(Fixed(5).divided(by: .zero) == .zero)
    }

    @Test("scales by a ratio with a single rounding")
    func scaled() {
        #expect(Fixed(100).scaled(by: Fixed(1), over: Fixed(3)) == dec("33.33"))
        #expect(Fixed(100).scaled(by: Fixed(2), over: Fixed(3)) == dec("66.67"))
        #expect(Fixed(-100).scaled(by: Fixed(2), over: Fixed(3)) == dec("-66.67"))
        #expect(Fixed(100).scaled(by: Fixed(2), over: .zero) == .zero)
        // Exactly 1.0049995: one rounding gives 1.00; rounding to six places first would give 1.005, then 1.01.
        #expect(dec("2.009999").scaled(by: Fixed(1), over: Fixed(2)) == Fixed(1))
        #expect(dec("-2.009999").scaled(by: Fixed(1), over: Fixed(2)) == Fixed(-1))
        #expect(Fixed(10).scaled(by: Fixed(1), over: Fixed(3), places: 6) == dec("3.333333"))
    }

    @Test("knows whether a quantity fits a unit's precision")
    func multiples() {
        #expect(dec("1.5").isMultiple(of: dec("0.5")))
        #expect(!dec("0.0005").isMultiple(of: dec("0.001")))
        #expect(dec("0.001").isMultiple(of: dec("0.001")))
        #expect(!dec("2.5").isMultiple(of: Fixed(1)))
        #expect(dec("-3").isMultiple(of: Fixed(1)))
        #expect(dec("0.123456").isMultiple(of: .zero))
    }
}
