/// A seeded SplitMix64 generator with the few draws the demo needs.
///
/// The demo must build the same world on every run and every platform, so it draws its own numbers instead of
/// relying on the standard library's `random(in:using:)`, whose algorithm is not part of its contract.
struct DemoRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A whole number in `range`.
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int(next() % span)
    }

    /// True with probability `percent` / 100, in steps of a hundredth of a percent.
    mutating func chance(_ percent: Double) -> Bool {
        Double(next() % 10_000) < percent * 100
    }

    /// One element of a non-empty array, or nil.
    mutating func element<T>(of array: [T]) -> T? {
        array.isEmpty ? nil : array[int(0...(array.count - 1))]
    }

    /// `count` distinct elements of `array` (fewer when it is shorter), in the array's order.
    mutating func sample<T>(_ array: [T], count: Int) -> [T] {
        guard count < array.count else { return array }
        var indices = Set<Int>()
        while indices.count < count { indices.insert(int(0...(array.count - 1))) }
        return indices.sorted().map { array[$0] }
    }

    /// An independent generator for one part of the world, so adding draws in one part does not change another.
    mutating func fork() -> DemoRandom { DemoRandom(seed: next()) }
}
