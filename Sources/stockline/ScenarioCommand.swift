import ArgumentParser
import Foundation
import Stockline
import StocklineScenario

struct ScenarioCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenario", abstract: "Run scenario files, the executable contract of the ledger.",
        subcommands: [Run.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run scenario files, each against a fresh temporary database (or PostgreSQL schema).",
            discussion: "Prints one line per expectation and per failing step, then 'N passed, M failed'.")

        @Argument(help: "Scenario files or folders of them (.yaml, .yml, .json).")
        var paths: [String]

        @Flag(help: "Print the report as JSON.")
        var json = false

        @Flag(help: "Print only failures and the closing line.")
        var quiet = false

        @Option(
            help: ArgumentHelp(
                "Run against a PostgreSQL database instead of temporary SQLite files.",
                discussion: "A postgres:// URL; each file runs in a fresh schema that is created and dropped.",
                valueName: "postgres-url"))
        var db: String?

        @Option(help: "Run against a running server (http://host:port) through its public API only.")
        var server: String?

        @Option(help: "The API token for --server (default: $STOCKLINE_TOKEN).")
        var token: String?

        func run() async throws {
            if server != nil && db != nil { throw ValidationError("--server and --db exclude each other") }
            if let db {
                do {
                    try Inventory.checkAddress(db)
                } catch {
                    printError("stockline: --db: \(error)")
                    throw ExitCode(2)
                }
            }
            let files: [URL]
            do {
                files = try ScenarioRunner.files(in: paths)
            } catch {
                printError("stockline: \(error)")
                throw ExitCode(2)
            }
            let json = json, quiet = quiet
            let printLine: @Sendable (ScenarioRunner.Line) -> Void = { line in
                guard !json, !quiet || !line.passed else { return }
                let step = line.step.map { " step \($0)" } ?? ""
                print("\(line.passed ? "PASS" : "FAIL") \(line.file)\(step): \(line.message)")
            }
            var runner = db.map { ScenarioRunner.postgres(url: $0, onLine: printLine) } ?? .sqlite(onLine: printLine)
            if let server {
                guard let url = URL(string: server), url.scheme == "http" || url.scheme == "https" else {
                    throw ValidationError("--server takes a URL such as http://127.0.0.1:8080")
                }
                guard let token = token ?? ProcessInfo.processInfo.environment["STOCKLINE_TOKEN"] else {
                    throw ValidationError("--server needs --token (an admin or integration token)")
                }
                runner = ScenarioRunner.server(url, token: token, onLine: printLine)
            }
            let report = await runner.run(files)
            if json {
                print(try jsonString(report))
            } else {
                print(report.closingLine)
            }
            if !report.succeeded { throw ExitCode(1) }
        }
    }
}
