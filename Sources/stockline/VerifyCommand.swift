import ArgumentParser
import Stockline
import StocklineCore

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the ledger's invariants: conservation, quants equal the replay of moves, reservations, "
            + "negative stock, valuation, the outbox, and that layers, journal and stock value agree per account.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let inventory = try await Inventory.open(path: database.path)
        let counts = try await inventory.counts()
        let problems = try await inventory.verify()
        for problem in problems { print(problem) }
        let accounts = try await inventory.reconciliation()
        if !accounts.isEmpty {
            print("value conservation per company and stock account (valuation layers = journal = stock value):")
            printTable(
                ["company", "account", "role", "layers", "journal", "stock value", ""],
                accounts.map { company, account, row in
                    [
                        company, account, row.role.rawValue, row.layered.formatted(places: 2),
                        row.booked.formatted(places: 2), row.held.formatted(places: 2), row.agrees ? "ok" : "DIFFERS",
                    ]
                })
        }
        if problems.isEmpty {
            print(
                "ledger sound: \(counts.moves) moves, \(counts.postings) postings, \(counts.items) items, \(counts.events) events checked"
            )
        } else {
            print("\(problems.count) problem\(problems.count == 1 ? "" : "s") found")
            throw ExitCode(1)
        }
    }
}
