import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

@main
enum Entrypoint {
    static func main() async {
        // Swift concurrency's jobs run on NIO's event loops, so a request does not change threads between the
        // server's I/O and its handler.
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await StocklineCommand.main()
    }
}

struct StocklineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stockline",
        abstract: "The inventory synchronization server: one exact stock ledger for every system around it.",
        subcommands: [
            ScenarioCommand.self, PostCommand.self, StockCommand.self, MovesCommand.self, VerifyCommand.self,
            DemoCommand.self, ServeCommand.self, TokenCommand.self,
            StoreCommand.self, BackupCommand.self, RestoreCommand.self, JournalCommand.self, ValuationCommand.self,
            AccountsCommand.self, PartnerCommand.self, PurchaseOrderCommand.self, SalesOrderCommand.self,
            ProductionOrderCommand.self, PromiseCommand.self, UserCommand.self, BenchCommand.self,
        ])
}

/// The database option every command that reads or writes the ledger takes.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "The SQLite database file (default: $STOCKLINE_DB or stockline.sqlite).")
    var db: String?

    var path: String { db ?? ProcessInfo.processInfo.environment["STOCKLINE_DB"] ?? "stockline.sqlite" }
}

/// Writes to standard error, for messages that are not the command's output.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Prints rows as aligned columns.
func printTable(_ header: [String], _ rows: [[String]]) {
    let all = [header] + rows
    let widths = header.indices.map { column in
        all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0
    }
    for row in all {
        let cells = row.enumerated().map { index, cell in
            index == 0
                ? cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                : String(repeating: " ", count: max(0, widths[index] - cell.count)) + cell
        }
        print(cells.joined(separator: "  "))
    }
}

func jsonString<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
    encoder.dateEncodingStrategy = .iso8601
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
