public import Foundation
public import Stockline
public import StocklineCore

/// Runs scenarios in-process, through the `Inventory` service.
public struct LocalTarget: ScenarioTarget {
    public let inventory: Inventory
    let remove: @Sendable (Inventory) async -> Void

    public init(inventory: Inventory, remove: @escaping @Sendable (Inventory) async -> Void = { _ in }) {
        self.inventory = inventory
        self.remove = remove
    }

    public func finish() async { await remove(inventory) }

    public func setUp(_ setup: Scenario.Setup) async throws { try await ScenarioRunner.build(setup, in: inventory) }

    public func post(_ operation: StockOperation, key: String, source: String, at: Date) async throws
        -> Result<Void, Refusal>
    {
        switch try await inventory.attempt(operation, key: key, actor: "scenario", source: source, effective: at) {
        case .success: .success(())
        case .failure(let error): .failure(Refusal(code: error.code, message: error.description))
        }
    }

    public func ledgerMark() async throws -> String { "\(try await inventory.counts())" }

    public func position(sku: String, at: String?, lot: String?) async throws -> StockPosition {
        try await inventory.position(sku: sku, at: at, lot: lot)
    }

    public func quantityPlaces(sku: String) async throws -> Int { try await inventory.quantityPlaces(sku: sku) }
    public func costOfGoods(key: String) async throws -> Money { try await inventory.costOfGoods(postingKey: key) }

    public func totalValue(sku: String, company: String?) async throws -> Money {
        try await inventory.totalValue(sku: sku, company: company)
    }

    public func imbalances() async throws -> [String] { try await inventory.imbalances() }

    public func order(id: String, today: Date) async throws -> OrderView {
        try await inventory.order(id: id, today: today)
    }

    public func promise(sku: String, quantity: Quantity, at: String, today: Date) async throws -> Date? {
        try await inventory.promise(sku: sku, quantity: quantity, at: at, today: today).date
    }
}
