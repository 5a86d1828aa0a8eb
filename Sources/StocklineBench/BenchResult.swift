/// One figure a benchmark suite measured: a rate or a duration, with latency percentiles where they mean something.
///
/// Timing figures are `Double`: they are measurements, not ledger quantities.
public struct BenchResult: Sendable, Hashable, Codable {
    /// Dotted name, starting with the suite's (`post.single`, `query.position.1000-items`).
    public var name: String
    public var value: Double
    /// What `value` counts: `moves/s`, `ms`, `s per 1M moves` ...
    public var unit: String
    /// Median latency of one operation, in milliseconds; nil where the suite has no per-operation latency.
    public var p50: Double?
    /// 99th-percentile latency of one operation, in milliseconds.
    public var p99: Double?
    /// What a reader needs to interpret the figure (sizes, checks), shown in the table.
    public var note: String?

    public init(
        name: String, value: Double, unit: String, p50: Double? = nil, p99: Double? = nil, note: String? = nil
    ) {
        self.name = name
        self.value = value
        self.unit = unit
        self.p50 = p50
        self.p99 = p99
        self.note = note
    }

    public init(name: String, value: Double, unit: String, latency: LatencyRecorder, note: String? = nil) {
        self.init(
            name: name, value: value, unit: unit, p50: latency.percentile(50), p99: latency.percentile(99), note: note)
    }

    enum CodingKeys: String, CodingKey {
        case name, value, unit, p50, p99, note
    }

    /// Writes `p50` and `p99` as `null` when absent, so every result has the same keys.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(value, forKey: .value)
        try container.encode(unit, forKey: .unit)
        try container.encode(p50, forKey: .p50)
        try container.encode(p99, forKey: .p99)
        try container.encodeIfPresent(note, forKey: .note)
    }
}

/// A suite that measured something it must not accept: an oversell, a broken ledger, refusals where none belong.
public struct BenchFailure: Error, Sendable, CustomStringConvertible {
    public var suite: String
    public var reason: String

    public init(suite: String, reason: String) {
        self.suite = suite
        self.reason = reason
    }

    public var description: String { "\(suite) FAILED: \(reason)" }
}
