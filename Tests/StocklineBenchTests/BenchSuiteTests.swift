import Stockline
import StocklineBench
import StocklineCore
import Testing

/// Every suite at a tiny size: the results are named as documented and sane. Nothing here is timed.
@Suite("stockline bench suites", .serialized)
struct BenchSuiteTests {
    static let tiny = BenchSizes(
        items: 40, warehouses: 2, batchMoves: 400, singlePostings: 128, httpPostings: 64, reservations: 100,
        ledgerMoves: 600, queries: 20, growth: [300, 600], growthPostings: 64)

    func run(_ suites: [BenchSuite]) async throws -> [String: BenchResult] {
        var sizes = Self.tiny
        sizes.callers = 8
        sizes.batchSize = 100
        let outcome = await BenchRunner.run(suites, context: BenchContext(store: .sqlite, sizes: sizes))
        #expect(outcome.failures.isEmpty, "\(outcome.failures)")
        for result in outcome.results {
            // A change in percent is signed: growth.post.single.drop is negative when the larger ledger was faster.
            #expect(
                result.value.isFinite && (result.unit == "%" || result.value >= 0), "\(result.name): \(result.value)")
            if let p50 = result.p50, let p99 = result.p99 { #expect(0 <= p50 && p50 <= p99, "\(result.name)") }
        }
        return Dictionary(outcome.results.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    @Test("post.batch and post.single report moves per second; single postings have latencies")
    func postings() async throws {
        let results = try await run([.postBatch, .postSingle])
        #expect(results["post.batch"]?.unit == "moves/s")
        #expect((results["post.batch"]?.value ?? 0) > 0)
        let single = try #require(results["post.single"])
        #expect(single.value > 0 && single.p50 != nil && single.p99 != nil)
    }

    @Test("http.post posts through the in-process server")
    func http() async throws {
        let results = try await run([.httpPost])
        let http = try #require(results["http.post"])
        #expect(http.unit == "postings/s" && http.value > 0 && http.p99 != nil)
    }

    @Test("reserve.contention never oversells")
    func contention() async throws {
        let results = try await run([.reserveContention])
        let contention = try #require(results["reserve.contention"])
        #expect(contention.value > 0)
        #expect(contention.note?.contains("50 granted") == true, "\(contention.note ?? "")")
        #expect(results["reserve.contention.oversold"]?.value == 0)
    }

    @Test("query.position, query.atp and verify read one ledger")
    func queries() async throws {
        let results = try await run([.queryPosition, .queryATP, .verify])
        #expect(results["query.position"]?.p99 != nil)
        #expect(results["query.position.40-items"]?.p99 != nil)
        #expect(results["query.atp"]?.p99 != nil)
        #expect(results["verify"]?.unit == "s per 1M moves")
    }

    @Test("growth measures at each size and summarizes the change")
    func growth() async throws {
        let results = try await run([.growth])
        for name in [
            "growth.post.single@300", "growth.post.single@600", "growth.query.position@300",
            "growth.query.position@600", "growth.post.single.drop", "growth.query.position.p99-ratio",
        ] {
            #expect(results[name] != nil, "missing \(name)")
        }
    }

    @Test("the peer workload runs on Stockline, and a missing peer script is a clear error")
    func peer() async throws {
        let figures = try await PeerBenchmark.runStockline(
            .init(phases: [200], single: 20, items: 20), store: .sqlite, progress: { _ in })
        #expect(figures.batched > 0 && figures.single > 0)
        #expect(figures.moves == 220)
        #expect(throws: BenchFailure.self) { try PeerBenchmark.locateScript(in: "/nonexistent") }
    }

    @Test("p50 and p99 are nearest-rank percentiles in milliseconds")
    func percentiles() {
        var recorder = LatencyRecorder()
        for millisecond in 1...100 { recorder.record(.milliseconds(millisecond)) }
        #expect(recorder.percentile(50) == 50)
        #expect(recorder.percentile(99) == 99)
        #expect(LatencyRecorder().percentile(50) == nil)
    }
}
