import ArgumentParser
import Foundation
import Stockline
import StocklineCore

/// A moment on the command line: `YYYY-MM-DD` (the start or, for an upper bound, the end of that day, UTC) or a full
/// ISO 8601 timestamp.
struct Moment: ExpressibleByArgument {
    var start: Date
    var end: Date
    var label: String

    init?(argument: String) {
        if let date = ISO8601DateFormatter().date(from: argument) {
            start = date
            end = date
            label = argument
            return
        }
        label = "the end of \(argument) (UTC)"
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        guard argument.count == 10, let date = day.date(from: argument) else { return nil }
        start = date
        end = date.addingTimeInterval(86_400 - 0.000_001)
    }

    var defaultValueDescription: String { "now" }
}

struct JournalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal", abstract: "The journal entries every valuation change made, for a general ledger.",
        subcommands: [Export.self])

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write journal lines as CSV or JSON, one line per account, debits and credits apart.",
            discussion: "Dates are YYYY-MM-DD (whole days, UTC) or ISO 8601 timestamps; --to is inclusive.")

        enum Format: String, ExpressibleByArgument, CaseIterable { case csv, json }

        @OptionGroup var database: DatabaseOptions
        @Option(help: "csv or json.") var format: Format = .csv
        @Option(help: "First day (or moment) to include.") var from: Moment?
        @Option(help: "Last day (or moment) to include.") var to: Moment?
        @Option(help: "Only this company.") var company: String?

        func run() async throws {
            let inventory = try await Inventory.open(path: database.path)
            var after: Int64 = 0
            var lines: [JournalExportLine] = []
            var debits = Money.zero
            var credits = Money.zero
            if format == .csv { print("posting,kind,date,company,account,role,sku,warehouse,debit,credit") }
            while true {
                let page = try await inventory.journal(
                    from: from?.start, to: to.map { $0.end.addingTimeInterval(0.000_001) }, company: company,
                    afterPosting: after, limit: 5000)
                for line in page.lines {
                    debits += line.debit
                    credits += line.credit
                    if format == .csv { print(csvRow(line)) } else { lines.append(line) }
                }
                guard let last = page.lastPosting else { break }
                after = last
            }
            if format == .json { print(try jsonString(lines)) }
            printError(
                "journal: debits \(debits.formatted(places: 2)), credits \(credits.formatted(places: 2))"
                    + (debits == credits ? ", balanced" : ", NOT BALANCED"))
            if debits != credits { throw ExitCode(1) }
        }

        func csvRow(_ line: JournalExportLine) -> String {
            let date = ISO8601DateFormatter().string(from: line.date)
            return [
                line.posting, line.kind.rawValue, date, line.company, line.account, line.role.rawValue, line.sku,
                line.warehouse ?? "", line.debit.formatted(places: 2), line.credit.formatted(places: 2),
            ].map(csvField).joined(separator: ",")
        }

        func csvField(_ text: String) -> String {
            guard text.contains(where: { ",\"\n\r".contains($0) }) else { return text }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
    }
}

struct ValuationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "valuation",
        abstract: "Stock quantity and value per item, warehouse and company, and account balances, as of a date.",
        discussion: "A date YYYY-MM-DD means the end of that day (UTC). Values are what the journal had booked by then."
    )

    @OptionGroup var database: DatabaseOptions
    @Option(help: "The moment to value at; default: now.") var at: Moment?
    @Flag(help: "Show value by age of the receipts instead (0-30, 31-90, 91-180, 181-365, over 365 days).")
    var aging = false
    @Flag(help: "List every item and warehouse, not only the totals.") var lines = false
    @Flag(help: "Print JSON.") var json = false
    @Flag(
        help: ArgumentHelp(
            "Also replay the ledger up to --at into a temporary ledger and check that it gives the same figures.",
            discussion: "Exits 1 when they differ."))
    var check = false

    func run() async throws {
        let inventory = try await Inventory.open(path: database.path)
        let moment = at?.end ?? Date()
        if check { return try await checkAgainstReplay(inventory, at: moment) }
        if aging {
            let report = try await inventory.aging(at: moment)
            if json { return print(try jsonString(report)) }
            printTable(
                ["company", "age (days)", "quantity", "value"],
                report.buckets.map { [$0.company, $0.age, "\($0.quantity)", $0.value.formatted(places: 2)] })
            return
        }
        let report = try await inventory.valuation(at: moment)
        if json { return print(try jsonString(report)) }
        print("valuation at \(at?.label ?? ISO8601DateFormatter().string(from: moment))")
        let shown = report.lines.filter { lines || $0.warehouse == nil }
        var perCompany: [String: (Quantity, Money)] = [:]
        for line in report.lines where line.warehouse == nil {
            perCompany[line.company, default: (.zero, .zero)].0 += line.quantity
            perCompany[line.company, default: (.zero, .zero)].1 += line.value
        }
        if lines {
            printTable(
                ["company", "warehouse", "sku", "quantity", "value"],
                shown.map {
                    [$0.company, $0.warehouse ?? "(all)", $0.sku, "\($0.quantity)", $0.value.formatted(places: 2)]
                })
            print("")
        }
        printTable(
            ["company", "items", "quantity", "value"],
            perCompany.keys.sorted().map { company in
                let (quantity, value) = perCompany[company] ?? (.zero, .zero)
                let items = report.lines.filter { $0.company == company && $0.warehouse == nil }.count
                return [company, "\(items)", "\(quantity)", value.formatted(places: 2)]
            })
        print("")
        printTable(
            ["company", "account", "role", "balance"],
            report.accounts.map { [$0.company, $0.account, $0.role.rawValue, $0.balance.formatted(places: 2)] })
    }
}

struct AccountsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accounts", abstract: "Each company's chart: the account code of every inventory account role.",
        subcommands: [List.self, Set.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the account codes in use.")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let inventory = try await Inventory.open(path: database.path)
            printTable(
                ["company", "category", "role", "account"],
                try await inventory.accounts().map {
                    [$0.company, $0.category ?? "(all)", $0.role.rawValue, $0.account]
                })
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Map a role to an account code for a company, or only for one item category of it.",
            discussion: "Roles: " + AccountRole.allCases.map(\.rawValue).joined(separator: ", ")
                + ". The journal keeps roles, so a new code applies to every export from then on.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The company code.") var company: String
        @Option(help: "Only items of this category.") var category: String?
        @Argument(help: "The account role.") var role: String
        @Argument(help: "The account code in the general ledger.") var account: String

        func run() async throws {
            guard let role = AccountRole(rawValue: role) else {
                throw ValidationError(
                    "unknown role \(role); one of " + AccountRole.allCases.map(\.rawValue).joined(separator: ", "))
            }
            let inventory = try await Inventory.open(path: database.path)
            do {
                let mapping = try await inventory.setAccount(role, to: account, company: company, category: category)
                print("\(company) \(mapping.category ?? "(all)") \(role.rawValue) -> \(mapping.account)")
            } catch let error as StockError {
                printError("stockline: \(error.code): \(error)")
                throw ExitCode(1)
            }
        }
    }
}

extension ValuationCommand {
    func checkAgainstReplay(_ inventory: Inventory, at moment: Date) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stockline-replay-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let replica = try await Inventory.open(path: folder.appendingPathComponent("replay.sqlite").path)
        let replayed = try await inventory.replay(into: replica, through: moment) { count in
            printError("replayed \(count) postings")
        }
        let reported = try await inventory.valuation(at: moment)
        let rebuilt = try await replica.valuation(at: .distantFuture)
        let problems = try await replica.verify()
        var differences = problems.map { "replayed ledger: \($0)" }
        let reportedLines = Dictionary(
            reported.lines.map { ("\($0.company) \($0.warehouse ?? "(all)") \($0.sku)", $0) },
            uniquingKeysWith: { a, _ in a })
        let rebuiltLines = Dictionary(
            rebuilt.lines.map { ("\($0.company) \($0.warehouse ?? "(all)") \($0.sku)", $0) },
            uniquingKeysWith: { a, _ in a })
        for key in Swift.Set(reportedLines.keys).union(rebuiltLines.keys).sorted() {
            let a = reportedLines[key]
            let b = rebuiltLines[key]
            guard a?.quantity != b?.quantity || a?.value != b?.value else { continue }
            differences.append(
                "\(key): reported \(a?.quantity ?? .zero) worth \(a?.value ?? .zero), "
                    + "replay \(b?.quantity ?? .zero) worth \(b?.value ?? .zero)")
        }
        if reported.accounts != rebuilt.accounts { differences.append("account balances differ from the replay's") }
        let date = at?.label ?? ISO8601DateFormatter().string(from: moment)
        if differences.isEmpty {
            print(
                "valuation at \(date) matches a replay of \(replayed) postings: \(reported.lines.count) lines, "
                    + "\(reported.accounts.count) account balances")
        } else {
            for difference in differences { print(difference) }
            print("valuation at \(date) differs from a replay of \(replayed) postings in \(differences.count) places")
            throw ExitCode(1)
        }
    }
}
