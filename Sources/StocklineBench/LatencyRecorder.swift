/// Collects the durations of single operations and answers percentiles in milliseconds.
///
/// A value type: each concurrent caller records into its own and the results are merged afterwards, so recording
/// costs no lock.
public struct LatencyRecorder: Sendable, Hashable {
    private var nanoseconds: [Int64] = []

    public init() {}

    public var count: Int { nanoseconds.count }

    public mutating func record(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        nanoseconds.append(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// Runs `body` and records how long it took.
    public mutating func measure<T>(
        isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> T
    ) async rethrows -> T {
        let start = ContinuousClock.now
        let value = try await body()
        record(ContinuousClock.now - start)
        return value
    }

    public mutating func merge(_ other: LatencyRecorder) {
        nanoseconds += other.nanoseconds
    }

    /// The `p`th percentile (nearest rank) in milliseconds; nil when nothing was recorded.
    public func percentile(_ p: Double) -> Double? {
        guard !nanoseconds.isEmpty else { return nil }
        let sorted = nanoseconds.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        let index = min(max(rank - 1, 0), sorted.count - 1)
        return Double(sorted[index]) / 1_000_000
    }
}

extension Duration {
    /// Seconds as a `Double`, for rates.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
