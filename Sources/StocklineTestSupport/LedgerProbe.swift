public import Stockline
public import StocklineCore
public import StocklineStore

/// What a test compares before and after a command to show it left no trace: the store's row counts, the newest
/// event, and the positions and values of the SKUs it names.
///
///     let before = try await LedgerProbe.take(inventory, skus: ["P1"])
///     _ = try await inventory.attempt(refusedOperation)
///     #expect(try await LedgerProbe.take(inventory, skus: ["P1"]) == before)
public struct LedgerProbe: Sendable, Hashable, CustomStringConvertible {
    public var counts: StoreCounts
    /// The sequence number of the newest outbox event (0 when there is none).
    public var lastEvent: Int64
    /// Positions keyed `SKU@place`, `SKU@place#lot` or `SKU@*` for every warehouse together.
    public var positions: [String: StockPosition]
    /// Stock value over every warehouse and transit, per SKU.
    public var totalValues: [String: Money]

    /// Reads the probe. `places` are warehouse codes or location paths; nil means every warehouse together.
    /// Each `lots` entry `(sku, lot)` adds that lot's position in every place.
    public static func take(
        _ inventory: Inventory, skus: [String], places: [String?]? = nil,
        lots: [(sku: String, lot: String)] = []
    ) async throws -> LedgerProbe {
        let catalog = try await inventory.catalog()
        let scopes: [String?] = places ?? ([nil] + catalog.warehouses.values.map(\.code).sorted())
        var positions: [String: StockPosition] = [:]
        var values: [String: Money] = [:]
        for sku in skus {
            for place in scopes {
                positions["\(sku)@\(place ?? "*")"] = try await inventory.position(sku: sku, at: place)
            }
            values[sku] = try await inventory.totalValue(sku: sku)
        }
        for (sku, lot) in lots {
            for place in scopes {
                positions["\(sku)@\(place ?? "*")#\(lot)"] = try await inventory.position(sku: sku, at: place, lot: lot)
            }
        }
        var lastEvent: Int64 = 0
        var after: Int64 = 0
        while true {
            let page = try await inventory.events(after: after, limit: 1000)
            guard let last = page.last else { break }
            lastEvent = last.sequence
            after = last.sequence
        }
        return LedgerProbe(
            counts: try await inventory.store.counts(), lastEvent: lastEvent, positions: positions,
            totalValues: values)
    }

    public var description: String {
        let lines = positions.keys.sorted().map { key in
            let p = positions[key] ?? StockPosition()
            return
                "  \(key): on_hand \(p.onHand) reserved \(p.reserved) blocked \(p.blocked) in_transit \(p.inTransit) "
                + "incoming \(p.incoming) outgoing \(p.outgoing) value \(p.value)"
        }
        return "counts \(counts), last event \(lastEvent), values \(totalValues)\n" + lines.joined(separator: "\n")
    }
}
