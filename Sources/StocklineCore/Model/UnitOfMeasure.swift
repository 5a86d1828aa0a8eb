/// A unit of measure: conversions exist only inside its category.
public struct UnitOfMeasure: Sendable, Hashable, Codable {
    public enum Category: String, Sendable, Hashable, Codable {
        case unit, weight, volume, length
    }

    public var name: String
    public var category: Category
    /// How many of the category's reference unit one of this unit is.
    public var factor: Fixed
    /// The finest quantity a stock amount may have in this unit.
    public var precision: Fixed

    public init(name: String, category: Category, factor: Fixed, precision: Fixed) {
        self.name = name
        self.category = category
        self.factor = factor
        self.precision = precision
    }

    /// The number of decimals the precision allows (0 for whole units, 3 for 0.001).
    public var precisionPlaces: Int {
        var places = 0
        var step = precision.micros
        while step > 0, step % Fixed.one != 0, places < Fixed.scale {
            step *= 10
            places += 1
        }
        return places
    }

    public static let builtIn: [String: UnitOfMeasure] = {
        let milli = Fixed(micros: 1_000)
        let units: [UnitOfMeasure] = [
            .init(name: "unit", category: .unit, factor: Fixed(1), precision: Fixed(1)),
            .init(name: "kg", category: .weight, factor: Fixed(1), precision: milli),
            .init(name: "g", category: .weight, factor: milli, precision: milli),
            .init(name: "t", category: .weight, factor: Fixed(1000), precision: milli),
            .init(name: "lb", category: .weight, factor: Fixed(micros: 453_592), precision: milli),
            .init(name: "l", category: .volume, factor: Fixed(1), precision: milli),
            .init(name: "ml", category: .volume, factor: milli, precision: milli),
            .init(name: "m", category: .length, factor: Fixed(1), precision: milli),
            .init(name: "cm", category: .length, factor: Fixed(micros: 10_000), precision: milli),
            .init(name: "mm", category: .length, factor: milli, precision: milli),
        ]
        return Dictionary(uniqueKeysWithValues: units.map { ($0.name, $0) })
    }()
}
