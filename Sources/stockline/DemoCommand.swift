import ArgumentParser
import Foundation
import Stockline
import StocklineCore
import StocklineDemo
import StocklineHTTP

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Build the demo world: an automotive parts maker and a regional distributor, a year of business.",
        discussion: """
            The world is the same on every run (seeded, with a fixed clock): two companies, their plants, warehouses, \
            service channel, web shop and vans, a few thousand items and a year of receipts, production, transfers, \
            deliveries, returns, counts and quality holds. The HTTP API then serves it (as `stockline serve` does) \
            with a new admin token, until interrupted; with --no-serve the command exits once the world is built. \
            An existing demo database is served again as it is; --replace builds it anew.
            """)

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "Delete an existing database file (and its -wal and -shm files) first.")
    var replace = false

    @Option(
        help: ArgumentHelp(
            "small (a month, about a hundred items), default (a year, about 2,200 items) or large (the same year at "
                + "full volume, about 170,000 postings; for release builds)."))
    var scale: Scale = .default

    /// The command-line spelling of `DemoScale`.
    enum Scale: String, CaseIterable, ExpressibleByArgument {
        case small, `default`, large

        var demoScale: DemoScale {
            switch self {
            case .small: .small
            case .default: .default
            case .large: .large
            }
        }
    }

    @Option(help: "The seed of the generator; the same seed builds the same world.")
    var seed: UInt64 = 2025

    @Flag(inversion: .prefixedNo, help: "Serve the demo over HTTP once it is built, until interrupted.")
    var serve = true

    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port to listen on.") var port = 8080

    func run() async throws {
        let path = database.path
        let files = [path, path + "-wal", path + "-shm"]
        if FileManager.default.fileExists(atPath: path), !replace {
            guard serve else {
                printError(
                    "stockline: \(path) exists already; the demo builds into a new database. "
                        + "Pass --replace to delete it, or --db to choose another file.")
                throw ExitCode(1)
            }
            printError("\(path) exists already: serving it as it is (--replace builds the demo anew)")
            try await serveDemo(path)
            return
        }
        // With --replace, the file and its journal; without, only a journal left behind by a deleted file, which
        // SQLite would otherwise try to apply to the new one.
        for file in files where FileManager.default.fileExists(atPath: file) {
            try FileManager.default.removeItem(atPath: file)
        }
        printError("building the demo world (\(scale.rawValue) scale, seed \(seed)) into \(path)")
        let summary = try await build(path)
        printSummary(summary, path: path)
        guard serve else { return }
        try await serveDemo(path)
    }

    /// Serves with the wall clock (new postings happen now, after the demo year) and a fresh admin token.
    private func serveDemo(_ path: String) async throws {
        let inventory = try await Inventory.open(path: path)
        let (token, secret) = try await Tokens.create(in: inventory, role: .admin, warehouse: nil, name: nil)
        // A fresh password for the demo's admin on every start, so the one printed is always the one that works.
        let password = Inventory.newPassword()
        if try await inventory.users().contains(where: { $0.name == "admin" }) {
            try await inventory.setPassword(password, user: "admin")
        } else {
            try await inventory.createUser(name: "admin", password: password, role: .admin)
        }
        print("")
        print("open http://\(host):\(port)/ in a browser and sign in as admin with the password \(password)")
        print("the handheld scanner is at http://\(host):\(port)/scan/ (add a warehouse user: stockline user create)")
        print("admin token (\(token.name)), shown once:")
        print("  \(secret)")
        print(
            "try: curl -H 'Authorization: Bearer \(secret)' 'http://\(host):\(port)/v1/stock?sku=\(try await exampleSKU(inventory))'"
        )
        // The demo's calendar is its own: pages read as of its last business day, the day of its newest posting.
        let lastDay = try await inventory.audit(AuditFilter(limit: 1)).first.map { Day.start(of: $0.at) }
        if let lastDay {
            print("the pages read the demo as of its last day, \(Day.text(lastDay)) (?today= on a page changes it)")
        }
        fflush(nil)  // where to sign in must show at once, also when the output goes to a file
        try await stockline.serve(
            inventory, host: host, port: port, logLevel: "info", bodyLimit: ServerConfiguration.defaultBodyLimit,
            webDay: lastDay)
    }

    private func exampleSKU(_ inventory: Inventory) async throws -> String {
        try await inventory.items(after: nil, limit: 1).first?.sku ?? "SKU"
    }

    /// Builds with the demo's fixed clock, in its own ledger handle.
    private func build(_ path: String) async throws -> DemoSummary {
        let clock = DemoClock()
        let inventory = try await Inventory.open(path: path, environment: clock.environment)
        return try await buildDemoWorld(into: inventory, scale: scale.demoScale, seed: seed, clock: clock) { line in
            printError(line)
        }
    }

    private func printSummary(_ summary: DemoSummary, path: String) {
        print("demo world built in \(String(format: "%.1f", summary.seconds)) s: \(path)")
        print("\(summary.businessDays) business days, \(summary.firstDay) to \(summary.lastDay), seed \(summary.seed)")
        print("")
        printTable(
            ["company", "costing", "warehouses", "items", "postings"],
            summary.companies.map { company in
                [
                    company.code, company.costing, "\(company.warehouses.count)", "\(company.items)",
                    "\(company.postings)",
                ]
            })
        for company in summary.companies {
            print("  \(company.code): \(company.warehouses.joined(separator: ", "))")
        }
        print("")
        print(
            "\(summary.warehouses) warehouses, \(summary.items) items, \(summary.postings) postings, "
                + "\(summary.moves) moves, \(summary.events) events")
        print("order lines that found no stock: \(summary.lostLines)")
        let kinds = summary.postingsByKind.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
        print("postings by kind: " + kinds.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        if summary.refused > 0 {
            let codes = summary.refusals.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            print("refused: \(summary.refused) (\(codes.joined(separator: ", ")))")
            for sample in summary.refusalSamples.prefix(5) { print("  \(sample)") }
        } else {
            print("refused: 0")
        }
        print("")
        print("try:")
        let db = path == "stockline.sqlite" ? "" : " --db \(path)"
        for example in summary.examples {
            print("  stockline stock \(example.sku)\(db)    # \(example.note)")
        }
        if let first = summary.examples.first {
            print("  stockline moves \(first.sku)\(db) --limit 20")
        }
        print("  stockline verify\(db)")
        guard !serve else { return }
        print(
            "  stockline serve\(db)    # the HTTP API over the demo"
        )
    }
}
