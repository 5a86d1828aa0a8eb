import Foundation

/// What every suite gets: where ledgers live, how big to make them, and where progress lines go.
public struct BenchContext: Sendable {
    public var store: BenchStore
    public var sizes: BenchSizes
    /// Progress for a person watching (the CLI writes it to standard error).
    public var progress: @Sendable (String) -> Void

    public init(store: BenchStore, sizes: BenchSizes, progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.store = store
        self.sizes = sizes
        self.progress = progress
    }
}

/// The suites `stockline bench` runs, by the name results carry.
public enum BenchSuite: String, Sendable, CaseIterable, Codable {
    case postBatch = "post.batch"
    case postSingle = "post.single"
    case httpPost = "http.post"
    case reserveContention = "reserve.contention"
    case queryPosition = "query.position"
    case queryATP = "query.atp"
    case verify
    case growth
    case postLayers = "post.layers"
    case promise
    case poReceive = "po.receive"
    case web

    /// Whether the suite reads the shared query ledger (built once per run).
    var readsQueryLedger: Bool { self == .queryPosition || self == .queryATP || self == .verify }
}

/// Runs suites in order and collects their results; a suite that fails is reported and the others still run.
public enum BenchRunner {
    public struct Outcome: Sendable {
        public var results: [BenchResult]
        public var failures: [BenchFailure]
    }

    public static func run(_ suites: [BenchSuite], context: BenchContext) async -> Outcome {
        var results: [BenchResult] = []
        var failures: [BenchFailure] = []
        var queryLedger: QueryLedger?
        for suite in suites {
            context.progress("\(suite.rawValue): starting")
            do {
                if suite.readsQueryLedger, queryLedger == nil {
                    queryLedger = try await QueryLedger.build(context: context)
                }
                let produced: [BenchResult]
                switch suite {
                case .postBatch: produced = try await PostBatchSuite.run(context)
                case .postSingle: produced = try await PostSingleSuite.run(context)
                case .httpPost: produced = try await HTTPPostSuite.run(context)
                case .reserveContention: produced = try await ReserveContentionSuite.run(context)
                case .queryPosition: produced = try await QuerySuites.position(context, ledger: queryLedger)
                case .queryATP: produced = try await QuerySuites.atp(context, ledger: queryLedger)
                case .verify: produced = try await QuerySuites.verify(context, ledger: queryLedger)
                case .growth: produced = try await GrowthSuite.run(context)
                case .postLayers: produced = try await OpenLayersSuite.run(context)
                case .promise: produced = try await OrderSuites.promise(context)
                case .poReceive: produced = try await OrderSuites.receive(context)
                case .web: produced = try await WebSuite.run(context)
                }
                for result in produced { context.progress("\(suite.rawValue): \(result.summary)") }
                results += produced
            } catch let failure as BenchFailure {
                context.progress(failure.description)
                failures.append(failure)
            } catch {
                let failure = BenchFailure(suite: suite.rawValue, reason: "\(error)")
                context.progress(failure.description)
                failures.append(failure)
            }
        }
        if let built = queryLedger {
            queryLedger = nil
            await built.ledger.remove()
        }
        return Outcome(results: results, failures: failures)
    }
}

extension BenchResult {
    /// One line for progress output.
    public var summary: String {
        var text = "\(name) \(BenchFormat.number(value)) \(unit)"
        if let p50 { text += ", p50 \(BenchFormat.milliseconds(p50))" }
        if let p99 { text += ", p99 \(BenchFormat.milliseconds(p99))" }
        if let note { text += " (\(note))" }
        return text
    }
}

/// Number formats for tables and progress lines.
public enum BenchFormat {
    public static func number(_ value: Double) -> String {
        if value >= 100 { return Int(value.rounded()).formatted() }
        if value >= 10 { return String(format: "%.1f", value) }
        return String(format: "%.3f", value)
    }

    public static func milliseconds(_ value: Double) -> String {
        value >= 10 ? String(format: "%.1f ms", value) : String(format: "%.3f ms", value)
    }
}
