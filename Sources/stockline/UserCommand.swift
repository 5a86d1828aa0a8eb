import ArgumentParser
import Foundation
import Stockline
import StocklineCore

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "People who sign in to the web app.", subcommands: [Create.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user; the password is read from standard input, or made and printed once.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The name to sign in with.") var name: String
        @Option(
            help: "admin, inventory_controller, warehouse_operator, planner, buyer, finance, auditor or integration.")
        var role: String
        @Option(help: "Limit writes to this warehouse.") var warehouse: String?
        @Flag(help: "Read the password from standard input (one line).") var passwordStdin = false

        func run() async throws {
            guard let role = Role(rawValue: role) else {
                throw ValidationError(
                    "unknown role \(role); one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let password =
                passwordStdin
                ? (readLine(strippingNewline: true) ?? "") : Inventory.newPassword()
            let inventory = try await Inventory.open(path: database.path)
            let user = try await refusing {
                try await inventory.createUser(name: name, password: password, role: role, warehouse: warehouse)
            }
            if !passwordStdin { print(password) }
            printError(
                "user \(user.name) (\(user.role.rawValue)\(user.warehouse.map { ", \($0) only" } ?? "")) created")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every user, with role and warehouse.")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let inventory = try await Inventory.open(path: database.path)
            printTable(
                ["name", "role", "warehouse", "created"],
                try await inventory.users().map {
                    [$0.name, $0.role.rawValue, $0.warehouse ?? "", $0.createdAt.formatted(.iso8601)]
                })
        }
    }
}
