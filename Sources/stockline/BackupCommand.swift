import ArgumentParser
import Foundation
import Stockline
import StocklineCore

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Back up a ledger into a new SQLite file.",
        discussion: """
            A SQLite ledger is copied with SQLite's online backup, so postings may go on meanwhile; a PostgreSQL
            ledger (--db postgres://...) is copied row by row into a new SQLite ledger. The backup is verified, and
            'stockline restore' puts it back into an empty ledger of either kind.
            """)

    @OptionGroup var database: DatabaseOptions
    @Option(help: "The backup file to create; it must not exist.") var to: String

    func run() async throws {
        let inventory = try await Inventory.open(path: database.path)
        do {
            try await inventory.backup(to: to)
        } catch {
            printError("stockline: \(error)")
            throw ExitCode(1)
        }
        let backup = try await Inventory.open(path: to)
        let problems = try await backup.verify()
        for problem in problems { print(problem) }
        guard problems.isEmpty else {
            printError("stockline: the backup does not verify")
            throw ExitCode(1)
        }
        let counts = try await backup.counts()
        print(
            "backed up to \(to): \(counts.postings) postings, \(counts.moves) moves, \(counts.events) events; verified")
    }
}

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Restore a backup file into a new, empty ledger (SQLite or PostgreSQL).")

    @Option(help: "The backup file made by 'stockline backup'.") var from: String
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        guard FileManager.default.fileExists(atPath: from) else { throw ValidationError("no backup file at \(from)") }
        try await copyLedger(from: from, to: database.path, verb: "restored")
    }
}
