import ArgumentParser
import Foundation
import Stockline
import StocklineCore

struct StockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stock", abstract: "Show an item's buckets and value, per warehouse or at one place.")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The SKU.") var sku: String
    @Option(help: "A warehouse code or location path; default: every warehouse.") var at: String?
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Print the projected-stock (available-to-promise) timeline at --at instead.") var projected = false

    func run() async throws {
        let inventory = try await Inventory.open(path: database.path)
        if projected {
            try await printProjection(inventory)
            return
        }
        let catalog = try await inventory.catalog()
        var rows: [(String, StockPosition)] = []
        do {
            if let at {
                rows.append((at, try await inventory.position(sku: sku, at: at)))
            } else {
                for warehouse in catalog.warehouses.values.sorted(by: { $0.code < $1.code }) {
                    rows.append((warehouse.code, try await inventory.position(sku: sku, at: warehouse.code)))
                }
                rows.append(("TOTAL", try await inventory.position(sku: sku)))
            }
        } catch let error as StockError {
            printError("stockline: \(error.code): \(error)")
            throw ExitCode(1)
        }
        if json {
            print(try jsonString(Dictionary(uniqueKeysWithValues: rows.map { ($0.0, $0.1) })))
            return
        }
        printTable(
            [
                "at", "on_hand", "available", "reserved", "blocked", "in_transit", "incoming", "outgoing", "value",
                "unit_cost",
            ],
            rows.map { at, p in
                [
                    at, "\(p.onHand)", "\(p.available)", "\(p.reserved)", "\(p.blocked)", "\(p.inTransit)",
                    "\(p.incoming)", "\(p.outgoing)", p.value.formatted(places: 2), p.unitCost.formatted(places: 2),
                ]
            })
    }
}

extension StockCommand {
    func printProjection(_ inventory: Inventory) async throws {
        guard let at else { throw ValidationError("--projected needs --at WAREHOUSE or a location path") }
        let timeline: (start: Quantity, points: [ProjectionPoint])
        do {
            timeline = try await inventory.projection(sku: sku, at: at)
        } catch let error as StockError {
            printError("stockline: \(error.code): \(error)")
            throw ExitCode(1)
        }
        if json {
            struct Output: Encodable {
                var start: Quantity
                var points: [ProjectionPoint]
            }
            print(try jsonString(Output(start: timeline.start, points: timeline.points)))
            return
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        printTable(
            ["date", "incoming", "outgoing", "projected"],
            [["now", "", "", "\(timeline.start)"]]
                + timeline.points.map { point in
                    [
                        formatter.string(from: point.date), "\(point.incoming)", "\(point.outgoing)",
                        "\(point.projected)",
                    ]
                })
    }
}
