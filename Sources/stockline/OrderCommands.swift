import ArgumentParser
import Foundation
import Stockline
import StocklineCore

struct PurchaseOrderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "po", abstract: "Purchase orders: list, show, create from JSON.",
        subcommands: [List.self, Show.self, Create.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The newest purchase orders.")
        @OptionGroup var options: OrderListOptions
        func run() async throws { try await options.list(.purchase) }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One order, line by line.")
        @OptionGroup var options: OrderShowOptions
        func run() async throws { try await options.show() }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Place a purchase order from JSON: {\"supplier\", \"at\", \"lines\": [{\"sku\", \"qty\"}]}.")
        @OptionGroup var options: OrderCreateOptions
        func run() async throws { try await options.create(.purchaseOrder) }
    }
}

struct SalesOrderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "so", abstract: "Sales orders: list, show, create from JSON.",
        subcommands: [List.self, Show.self, Create.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The newest sales orders.")
        @OptionGroup var options: OrderListOptions
        func run() async throws { try await options.list(.sales) }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One order, line by line.")
        @OptionGroup var options: OrderShowOptions
        func run() async throws { try await options.show() }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Take a sales order from JSON: {\"customer\", \"at\", \"lines\": [{\"sku\", \"qty\"}], \"requested\"}.")
        @OptionGroup var options: OrderCreateOptions
        func run() async throws { try await options.create(.salesOrder) }
    }
}

struct ProductionOrderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mo", abstract: "Production orders: list, show, create from JSON.",
        subcommands: [List.self, Show.self, Create.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The newest production orders.")
        @OptionGroup var options: OrderListOptions
        func run() async throws { try await options.list(.production) }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One order, line by line, with its components.")
        @OptionGroup var options: OrderShowOptions
        func run() async throws { try await options.show() }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Order production from JSON: {\"sku\", \"qty\", \"at\", \"due\"}.")
        @OptionGroup var options: OrderCreateOptions
        func run() async throws { try await options.create(.productionOrder) }
    }
}

struct OrderListOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOptions
    @Option(help: "How many, newest first.") var limit = 50
    @Option(help: "The day to read as of (YYYY-MM-DD), for overdue lines.") var today: String?
    @Flag(help: "Print JSON.") var json = false

    func list(_ kind: Order.Kind) async throws {
        let inventory = try await Inventory.open(path: database.path)
        let orders = try await refusing {
            try await inventory.orders(kind: kind, limit: limit, today: try day(today))
        }
        if json {
            print(try jsonString(orders))
            return
        }
        printTable(
            ["order", "status", "partner", "warehouse", "created", "due", "lines", "open"],
            orders.map { order in
                [
                    order.id, order.status.rawValue, order.partner ?? "", order.warehouse, Day.text(order.created),
                    order.due.map(Day.text) ?? "", "\(order.lines.count)",
                    "\(order.lines.filter { $0.required == nil }.reduce(Fixed.zero) { $0 + $1.open })",
                ]
            })
    }
}

struct OrderShowOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The order id.") var id: String
    @Option(help: "The day to read as of (YYYY-MM-DD), for overdue lines.") var today: String?
    @Flag(help: "Print JSON.") var json = false

    func show() async throws {
        let inventory = try await Inventory.open(path: database.path)
        let order = try await refusing { try await inventory.order(id: id, today: try day(today)) }
        if json {
            print(try jsonString(order))
            return
        }
        print("\(order.kind.rawValue) order \(order.id): \(order.status.rawValue)")
        print("  \(order.partner.map { "\($0), " } ?? "")\(order.warehouse), created \(Day.text(order.created))")
        printTable(
            ["sku", "ordered", "done", "open", "reserved", "backorder", "expected", "overdue", "shortfall"],
            order.lines.map { line in
                [
                    line.sku, "\(line.ordered)", "\(line.received ?? line.shipped ?? line.produced ?? .zero)",
                    "\(line.open)", line.reserved.map { "\($0)" } ?? "", line.backorder.map { "\($0)" } ?? "",
                    line.expected.map(Day.text) ?? "", line.overdue == true ? "yes" : "",
                    line.shortfall.map { "\($0)" } ?? "",
                ]
            })
    }
}

struct OrderCreateOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "A JSON file with the order, or - for standard input.") var file: String
    @Option(help: "The order id (default: a new one); the same id and body again is a replay.") var id: String?

    func create(_ kind: OperationKind) async throws {
        let data =
            file == "-"
            ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: file))
        let inventory = try await Inventory.open(path: database.path)
        let key = id ?? inventory.environment.newKey()
        let order = try await refusing {
            let fields = try JSONDecoder().decode(DocumentValue.self, from: data)
            let operation = try StockOperation.decode(kind: kind.rawValue, fields: fields, at: "")
            _ = try await inventory.attempt(operation, key: key, actor: "cli", source: "cli").get()
            return try await inventory.order(id: key)
        }
        print("\(order.kind.rawValue) order \(order.id): \(order.status.rawValue), \(order.lines.count) lines")
    }
}

struct PartnerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partner", abstract: "Suppliers and customers.", subcommands: [Add.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a supplier or a customer.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Its code.") var code: String
        @Option(help: "supplier or customer.") var role: String
        @Option(help: "Its name.") var name: String?
        @Option(help: "Days from order to delivery (suppliers).") var leadDays = 0

        func run() async throws {
            guard let role = Partner.Role(rawValue: role) else {
                printError("stockline: validation_failed: --role is supplier or customer, not \(role)")
                throw ExitCode(1)
            }
            let inventory = try await Inventory.open(path: database.path)
            let partner = try await refusing {
                try await inventory.addPartner(code: code, role: role, name: name, leadDays: leadDays)
            }
            print("\(partner.role.rawValue) \(partner.code) added")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every supplier and customer.")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let inventory = try await Inventory.open(path: database.path)
            printTable(
                ["code", "role", "name", "lead days"],
                try await inventory.catalog().partners.map { [$0.code, $0.role.rawValue, $0.name, "\($0.leadDays)"] })
        }
    }
}

struct PromiseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promise",
        abstract: "The earliest date a quantity can be promised at a warehouse, and the timeline that explains it.")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The SKU.") var sku: String
    @Argument(help: "The quantity, in the item's base unit.") var quantity: String
    @Option(help: "The warehouse code.") var at: String
    @Option(help: "The day to promise from (YYYY-MM-DD; default today).") var today: String?
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        guard let quantity = Fixed(self.quantity) else {
            printError("stockline: validation_failed: \(self.quantity) is not a quantity")
            throw ExitCode(1)
        }
        let inventory = try await Inventory.open(path: database.path)
        let (date, timeline) = try await refusing {
            try await inventory.promise(sku: sku, quantity: quantity, at: at, today: try day(today))
        }
        if json {
            struct Answer: Encodable {
                var date: String?
                var timeline: Timeline
                var points: [Timeline.Point]
            }
            print(try jsonString(Answer(date: date.map(Day.text), timeline: timeline, points: timeline.points)))
            return
        }
        print("\(quantity) \(sku) at \(at): \(date.map { "promise for \(Day.text($0))" } ?? "no date can be promised")")
        print("available now: \(timeline.available)")
        printTable(
            ["date", "change", "kind", "document", "projected"],
            timeline.entries.map { entry in
                let projected = timeline.points.last { $0.date <= entry.date }?.projected ?? timeline.available
                return [
                    Day.text(entry.date) + (entry.late.map { " (due \(Day.text($0)))" } ?? ""), "\(entry.quantity)",
                    entry.kind.rawValue, entry.document, "\(projected)",
                ]
            })
    }
}

/// A day given on the command line, or nil.
func day(_ text: String?) throws -> Date? {
    guard let text else { return nil }
    guard let date = Day.parse(text) else {
        throw StockError.validationFailed(field: "today", reason: "\(text) is not a date (YYYY-MM-DD)")
    }
    return date
}

/// Runs `body`, printing a refusal as `stockline: code: message` and exiting 1.
func refusing<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as StockError {
        printError("stockline: \(error.code): \(error)")
        throw ExitCode(1)
    } catch let error as DocumentError {
        printError("stockline: validation_failed: \(error)")
        throw ExitCode(1)
    }
}
