import Foundation

/// An exact decimal with six fractional digits, stored as an integer count of millionths.
///
/// Stock quantities, money and unit costs all use it so that no amount is ever a binary float;
/// rounding happens only where the rules say so, always half away from zero.
public struct Fixed: Sendable, Hashable, Comparable, Codable {
    public static let scale = 6
    public static let one: Int64 = 1_000_000

    /// The amount in millionths.
    public var micros: Int64

    public init(micros: Int64) { self.micros = micros }
    public init(_ integer: Int) { self.micros = Int64(integer) * Fixed.one }

    public static let zero = Fixed(micros: 0)

    /// The largest quantity one posting may move, and the largest unit cost it may carry.
    public static let maximumQuantity = Fixed(1_000_000_000)
    /// The largest amount one posting may value: far below where six-decimal arithmetic in 64 bits runs out.
    public static let maximumAmount = Fixed(1_000_000_000_000)

    public static func < (lhs: Fixed, rhs: Fixed) -> Bool { lhs.micros < rhs.micros }
    public static func + (lhs: Fixed, rhs: Fixed) -> Fixed { Fixed(micros: lhs.micros + rhs.micros) }
    public static func - (lhs: Fixed, rhs: Fixed) -> Fixed { Fixed(micros: lhs.micros - rhs.micros) }
    public static prefix func - (value: Fixed) -> Fixed { Fixed(micros: -value.micros) }
    public static func += (lhs: inout Fixed, rhs: Fixed) { lhs.micros += rhs.micros }
    public static func -= (lhs: inout Fixed, rhs: Fixed) { lhs.micros -= rhs.micros }

    public var isZero: Bool { micros == 0 }
    public var isNegative: Bool { micros < 0 }
    public var isPositive: Bool { micros > 0 }
    public var magnitude: Fixed { Fixed(micros: Swift.abs(micros)) }

    /// The product, rounded half away from zero to `places` decimals (at most six).
    public func times(_ other: Fixed, places: Int = 6) -> Fixed {
        let product = Int128(micros) * Int128(other.micros)
        return Fixed(micros: Fixed.divide(product, by: Int128(Fixed.one), places: places))
    }

    /// The quotient, rounded half away from zero to `places` decimals; zero when dividing by zero.
    public func divided(by other: Fixed, places: Int = 6) -> Fixed {
        guard other.micros != 0 else { return .zero }
        let numerator = Int128(micros) * Int128(Fixed.one)
        return Fixed(micros: Fixed.divide(numerator, by: Int128(other.micros), places: places))
    }

    /// `self × numerator / denominator` with a single rounding, for proportional shares.
    public func scaled(by numerator: Fixed, over denominator: Fixed, places: Int = 2) -> Fixed {
        guard denominator.micros != 0 else { return .zero }
        let product = Int128(micros) * Int128(numerator.micros)
        return Fixed(micros: Fixed.divide(product, by: Int128(denominator.micros), places: places))
    }

    /// Rounded half away from zero to `places` decimals.
    public func rounded(places: Int) -> Fixed {
        Fixed(micros: Fixed.divide(Int128(micros), by: 1, places: places))
    }

    /// Money is posted in minor units of the currency.
    public var roundedMoney: Fixed { rounded(places: 2) }

    /// Whether the value has no digits beyond `step` (for a unit's precision).
    public func isMultiple(of step: Fixed) -> Bool {
        step.micros <= 0 || micros % step.micros == 0
    }

    private static func divide(_ numerator: Int128, by denominator: Int128, places: Int) -> Int64 {
        let unit = Int128(pow10(Fixed.scale - max(0, min(places, Fixed.scale))))
        let divisor = denominator * unit
        var quotient = numerator / divisor
        let remainder = numerator % divisor
        if 2 * Swift.abs(remainder) >= Swift.abs(divisor) {
            quotient += (numerator < 0) != (divisor < 0) ? -1 : 1
        }
        return Int64(clamping: quotient * unit)
    }

    private static func pow10(_ exponent: Int) -> Int64 {
        var result: Int64 = 1
        for _ in 0..<exponent { result *= 10 }
        return result
    }
}

extension Fixed: CustomStringConvertible, LosslessStringConvertible {
    /// Parses plain decimals such as `12`, `-0.5` or `1e3`-free strings with up to six fractional digits.
    public init?(_ text: String) {
        var text = Substring(text.trimmingCharacters(in: .whitespaces))
        var negative = false
        if text.first == "-" || text.first == "+" {
            negative = text.first == "-"
            text = text.dropFirst()
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !(parts[0].isEmpty && (parts.count == 1 || parts[1].isEmpty)) else {
            return nil
        }
        guard parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }) else { return nil }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard fraction.count <= Fixed.scale, parts[0].count <= 12 else { return nil }
        let whole = Int64(parts[0].isEmpty ? "0" : String(parts[0])) ?? 0
        let padded = String(fraction) + String(repeating: "0", count: Fixed.scale - fraction.count)
        let frac = Int64(padded) ?? 0
        micros = (whole * Fixed.one + frac) * (negative ? -1 : 1)
    }

    public var description: String {
        let absolute = micros.magnitude
        var text = micros < 0 ? "-" : ""
        text += String(absolute / UInt64(Fixed.one))
        var fraction = absolute % UInt64(Fixed.one)
        guard fraction != 0 else { return text }
        var places = Fixed.scale
        while fraction % 10 == 0 {
            fraction /= 10
            places -= 1
        }
        let digits = String(fraction)
        text += "." + String(repeating: "0", count: places - digits.count) + digits
        return text
    }

    /// Fixed number of decimals, for aligned output.
    public func formatted(places: Int) -> String {
        let value = rounded(places: places)
        let sign = value.micros < 0 ? "-" : ""
        let absolute = value.micros.magnitude
        let whole = absolute / UInt64(Fixed.one)
        guard places > 0 else { return "\(sign)\(whole)" }
        var fraction = String(absolute % UInt64(Fixed.one))
        fraction = String(repeating: "0", count: Fixed.scale - fraction.count) + fraction
        return "\(sign)\(whole).\(fraction.prefix(places))"
    }
}

extension Fixed {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self), let value = Fixed(text) {
            self = value
        } else if let decimal = try? container.decode(Decimal.self), let value = Fixed("\(decimal)") {
            self = value
        } else {
            let double = try container.decode(Double.self)
            guard let value = Fixed(String(format: "%.6f", double)) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a decimal: \(double)")
            }
            self = value
        }
    }

    /// A JSON number with the exact digits (through `Decimal`, never `Double`).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Decimal(string: description) ?? Decimal(micros) / Decimal(Fixed.one))
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

/// Stock quantity in an item's base unit.
public typealias Quantity = Fixed
/// An amount in a company's currency; also unit costs, kept to six decimals.
public typealias Money = Fixed
