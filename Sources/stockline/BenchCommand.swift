import ArgumentParser
import Foundation
import StocklineBench

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure posting, reservation, query and verify throughput and latency.",
        discussion: """
            Suites: \(BenchSuite.allCases.map(\.rawValue).joined(separator: ", ")) (default: all), or `peer` to run \
            the Tryton peer (bench/peers/run-tryton, relative to the current directory) and the same workload on \
            Stockline. Each suite works on a fresh ledger: a temporary SQLite file, or a fresh PostgreSQL schema that \
            is dropped afterwards. Progress goes to standard error; the table, or with --json one JSON object, to \
            standard output. Build with `swift build -c release` for figures worth quoting.
            """)

    @Argument(help: "Suites to run (default: all).") var suites: [String] = []
    @Option(help: "small, medium or large.") var scale: String = "small"
    @Option(help: "sqlite or postgres.") var store: String = "sqlite"
    @Option(
        help: "PostgreSQL server URL (default: $STOCKLINE_TEST_POSTGRES_URL, else a throwaway cluster).")
    var db: String?
    @Flag(help: "Print one JSON object instead of a table.") var json = false
    @Flag(help: "peer: the peer's quick run (2,000 batched and 200 single moves).") var quick = false

    func run() async throws {
        guard let scale = BenchScale(rawValue: scale) else {
            throw ValidationError("unknown scale \(scale); small, medium or large")
        }
        let benchStore: BenchStore
        switch store {
        case "sqlite":
            guard db == nil else { throw ValidationError("--db is a PostgreSQL URL; use it with --store postgres") }
            benchStore = .sqlite
        case "postgres": benchStore = .postgres(url: db)
        default: throw ValidationError("unknown store \(store); sqlite or postgres")
        }
        let progress: @Sendable (String) -> Void = { printError("bench: \($0)") }
        let results: [BenchResult]
        var failures: [BenchFailure] = []
        if suites == ["peer"] {
            results = try await runPeer(store: benchStore, progress: progress)
        } else {
            var selected: [BenchSuite] = []
            for name in suites {
                guard let suite = BenchSuite(rawValue: name) else {
                    throw ValidationError(
                        "unknown suite \(name); one of \(BenchSuite.allCases.map(\.rawValue).joined(separator: ", ")), or peer alone"
                    )
                }
                selected.append(suite)
            }
            if selected.isEmpty { selected = BenchSuite.allCases }
            let context = BenchContext(store: benchStore, sizes: scale.sizes, progress: progress)
            let outcome = await BenchRunner.run(selected, context: context)
            results = outcome.results
            failures = outcome.failures
        }
        let machine = BenchMachine.current(store: benchStore, scale: scale.rawValue)
        if json {
            print(try jsonString(BenchReport(machine: machine, results: results)))
        } else {
            print(
                "\(machine.date)  \(machine.cores) cores, \(machine.memory), \(machine.os), Swift \(machine.swift) "
                    + "\(machine.build), \(machine.store), scale \(machine.scale)")
            let rows = results.map { result in
                [
                    result.name, BenchFormat.number(result.value), result.unit,
                    result.p50.map { String(format: "%.3f", $0) } ?? "-",
                    result.p99.map { String(format: "%.3f", $0) } ?? "-", result.note ?? "",
                ]
            }
            printAligned(["result", "value", "unit", "p50 ms", "p99 ms", "note"], rows, rightAligned: [1, 3, 4])
        }
        if !failures.isEmpty {
            for failure in failures { printError("stockline: \(failure)") }
            throw ExitCode(1)
        }
    }

    func runPeer(store: BenchStore, progress: @escaping @Sendable (String) -> Void) async throws -> [BenchResult] {
        let script: URL
        do {
            script = try PeerBenchmark.locateScript()
        } catch {
            printError("stockline: \(error)")
            throw ExitCode(1)
        }
        progress("peer: running \(PeerBenchmark.scriptPath)\(quick ? " --quick" : "")")
        let peer = try await PeerBenchmark.runPeer(script, arguments: quick ? ["--quick"] : [])
        progress("peer: \(peer.peer) \(Int(peer.batchedMovesPerSecond)) moves/s batched")
        let stockline = try await PeerBenchmark.runStockline(
            PeerBenchmark.Workload(quick: quick), store: store, progress: progress)
        return PeerBenchmark.results(peer: peer, stockline: stockline)
    }
}

/// Rows as columns; numbers right-aligned, words left-aligned.
private func printAligned(_ header: [String], _ rows: [[String]], rightAligned: Set<Int>) {
    let all = [header] + rows
    let widths = header.indices.map { column in
        all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0
    }
    for row in all {
        let cells = row.enumerated().map { index, cell in
            let pad = String(repeating: " ", count: max(0, widths[index] - cell.count))
            return rightAligned.contains(index) ? pad + cell : cell + pad
        }
        print(cells.joined(separator: "  ").trimmingCharacters(in: .whitespaces))
    }
}
