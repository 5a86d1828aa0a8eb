/// How big a benchmark run is. `small` keeps every suite together under five minutes in a release build on two
/// cores (growth at reduced sizes, 10k and 50k moves); `medium` builds a 1M-move ledger, `large` a 10M-move one.
public enum BenchScale: String, Sendable, CaseIterable, Codable {
    case small, medium, large

    /// Sizes of each suite at this scale.
    public var sizes: BenchSizes {
        switch self {
        case .small:
            BenchSizes(
                items: 1_000, warehouses: 4, batchMoves: 20_000, singlePostings: 10_000, httpPostings: 5_000,
                reservations: 1_000, ledgerMoves: 50_000, queries: 1_000, growth: [10_000, 50_000],
                growthPostings: 3_000)
        case .medium:
            BenchSizes(
                items: 2_000, warehouses: 6, batchMoves: 100_000, singlePostings: 30_000, httpPostings: 20_000,
                reservations: 1_000, ledgerMoves: 1_000_000, queries: 2_000, growth: [100_000, 1_000_000],
                growthPostings: 10_000, demo: "default")
        case .large:
            BenchSizes(
                items: 5_000, warehouses: 8, batchMoves: 1_000_000, singlePostings: 100_000, httpPostings: 50_000,
                reservations: 1_000, ledgerMoves: 10_000_000, queries: 2_000,
                growth: [100_000, 1_000_000, 10_000_000], growthPostings: 20_000, demo: "large")
        }
    }
}

/// The sizes one run uses; tests pass tiny ones.
public struct BenchSizes: Sendable, Hashable, Codable {
    /// Items in every benchmark world (the query suites' ledger spreads its moves over all of them).
    public var items: Int
    public var warehouses: Int
    /// Moves `post.batch` posts, in batches of ``batchSize``.
    public var batchMoves: Int
    public var batchSize = 500
    /// Postings `post.single` makes from ``callers`` concurrent callers.
    public var singlePostings: Int
    public var callers = 64
    public var httpPostings: Int
    /// Concurrent reservations in `reserve.contention`, on ``hotItems`` items.
    public var reservations: Int
    public var hotItems = 10
    /// Moves in the ledger the query suites and `verify` read.
    public var ledgerMoves: Int
    /// Repetitions of each query.
    public var queries: Int
    /// Ledger sizes `growth` measures at.
    public var growth: [Int]
    /// Postings `post.single` makes at each growth step.
    public var growthPostings: Int
    /// The demo world `web` serves: `small`, `default` or `large` (see `DemoScale`).
    public var demo = "small"
    /// Requests per page `web` times.
    public var pageViews = 30

    public init(
        items: Int, warehouses: Int, batchMoves: Int, singlePostings: Int, httpPostings: Int, reservations: Int,
        ledgerMoves: Int, queries: Int, growth: [Int], growthPostings: Int, demo: String = "small"
    ) {
        self.demo = demo
        self.items = items
        self.warehouses = warehouses
        self.batchMoves = batchMoves
        self.singlePostings = singlePostings
        self.httpPostings = httpPostings
        self.reservations = reservations
        self.ledgerMoves = ledgerMoves
        self.queries = queries
        self.growth = growth
        self.growthPostings = growthPostings
    }
}

extension Int {
    /// `10k`, `1M`: sizes as result names carry them.
    var abbreviated: String {
        if self >= 1_000_000, self % 1_000_000 == 0 { return "\(self / 1_000_000)M" }
        if self >= 1_000, self % 1_000 == 0 { return "\(self / 1_000)k" }
        return "\(self)"
    }
}
