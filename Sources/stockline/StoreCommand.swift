import ArgumentParser
import Stockline

struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store", abstract: "Work on a whole ledger database.", subcommands: [Copy.self])

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a whole ledger into a new, empty one, with the same ids.",
            discussion: """
                Either side is a SQLite file or a postgres:// URL (?schema=name picks the schema), e.g. to move a
                site's ledger onto PostgreSQL:
                  stockline store copy --from stockline.sqlite --to 'postgres://stockline@db/stockline?schema=ledger'
                The source is read as one consistent snapshot; the target is created and migrated if needed, must
                hold no ledger data, and is written in one transaction. Both sides are verified afterwards.
                """)

        @Option(help: "The ledger to copy: a SQLite file or a postgres:// URL.") var from: String
        @Option(help: "The new ledger: a SQLite file or a postgres:// URL; it must be empty.") var to: String

        func run() async throws {
            try await copyLedger(from: from, to: to, verb: "copied")
        }
    }
}

/// Copies the ledger at `source` into the empty one at `target`, verifies both and prints what was copied; exits
/// with status 1 when the copy is refused or either side fails `verify`.
func copyLedger(from source: String, to target: String, verb: String) async throws {
    guard source != target else { throw ValidationError("the source and the target are the same ledger") }
    let from = try await Inventory.open(path: source)
    let to = try await Inventory.open(path: target)
    let summary: [(table: String, rows: Int)]
    do {
        summary = try await from.copy(to: to)
    } catch {
        printError("stockline: \(error)")
        throw ExitCode(1)
    }
    printTable(["table", "rows"], summary.map { [$0.table, "\($0.rows)"] })
    var sound = true
    for (name, inventory) in [("source", from), ("target", to)] {
        let problems = try await inventory.verify()
        for problem in problems { print("\(name): \(problem)") }
        sound = sound && problems.isEmpty
    }
    guard sound else {
        printError("stockline: the ledgers do not verify after the copy")
        throw ExitCode(1)
    }
    print("\(verb) \(summary.reduce(0) { $0 + $1.rows }) rows; source and target verified")
}
