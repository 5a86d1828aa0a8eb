import ArgumentParser
import Stockline
import StocklineCore
import StocklineHTTP

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Create and list API tokens.", subcommands: [Create.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API token; its secret is printed once.")
        @OptionGroup var database: DatabaseOptions
        @Option(
            help: "admin, inventory_controller, warehouse_operator, planner, buyer, finance, auditor or integration.")
        var role: String
        @Option(help: "Limit writes to this warehouse.") var warehouse: String?
        @Option(help: "A name to recognise the token by (unique).") var name: String?

        func run() async throws {
            guard let role = Role(rawValue: role) else {
                throw ValidationError(
                    "unknown role \(role); one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let inventory = try await Inventory.open(path: database.path)
            do {
                let (token, secret) = try await Tokens.create(
                    in: inventory, role: role, warehouse: warehouse, name: name)
                print(secret)
                printError(
                    "token \(token.name) (\(token.role.rawValue)\(token.warehouse.map { ", \($0) only" } ?? "")) created; the secret above is not shown again"
                )
            } catch let error as StockError {
                printError("stockline: \(error.code): \(error)")
                throw ExitCode(1)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List API tokens (never their secrets).")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let inventory = try await Inventory.open(path: database.path)
            printTable(
                ["name", "role", "warehouse", "created"],
                try await inventory.tokens().map {
                    [$0.name, $0.role.rawValue, $0.warehouse ?? "", "\($0.createdAt)"]
                })
        }
    }
}
