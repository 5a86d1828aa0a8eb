import ArgumentParser
import Foundation
import Stockline
import StocklineCore

struct MovesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "moves", abstract: "Show an item's move history, newest first.")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The SKU.") var sku: String
    @Option(help: "How many moves to show.") var limit = 50
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let inventory = try await Inventory.open(path: database.path)
        let catalog = try await inventory.catalog()
        let moves: [Move]
        do {
            moves = try await inventory.moves(sku: sku, limit: limit)
        } catch let error as StockError {
            printError("stockline: \(error.code): \(error)")
            throw ExitCode(1)
        }
        if json {
            print(try jsonString(moves))
            return
        }
        let formatter = ISO8601DateFormatter()
        printTable(
            ["move", "date", "kind", "state", "quantity", "from", "to", "reference"],
            moves.map { move in
                [
                    "\(move.id)", formatter.string(from: move.doneAt ?? move.plannedAt), move.kind.rawValue,
                    move.state.rawValue,
                    "\(move.quantity)", catalog.locations[move.fromID]?.path ?? "?",
                    catalog.locations[move.toID]?.path ?? "?",
                    move.reference ?? "",
                ]
            })
    }
}
