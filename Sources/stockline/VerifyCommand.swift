import ArgumentParser
import Stockline
import StocklineStore

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the ledger's invariants: conservation, quants equal the replay of moves, reservations, "
            + "negative stock, valuation and the outbox.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let inventory = try await Inventory.open(path: database.path)
        let counts = try await inventory.store.counts()
        let problems = try await inventory.verify()
        for problem in problems { print(problem) }
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
