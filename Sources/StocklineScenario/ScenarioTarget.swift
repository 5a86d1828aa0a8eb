public import Foundation
public import StocklineCore

/// A refusal as any door reports it: the stable code and the message.
public struct Refusal: Error, Sendable, Equatable {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

/// What a scenario runs against: the in-process service, or a running server through its public API.
public protocol ScenarioTarget: Sendable {
    func setUp(_ setup: Scenario.Setup) async throws
    /// Posts one step at the scenario's time `at`; a refusal comes back as a value.
    func post(_ operation: StockOperation, key: String, source: String, at: Date) async throws -> Result<Void, Refusal>
    /// Something that changes whenever the ledger does, to check that a refusal changed nothing.
    func ledgerMark() async throws -> String
    func position(sku: String, at: String?, lot: String?) async throws -> StockPosition
    func quantityPlaces(sku: String) async throws -> Int
    func costOfGoods(key: String) async throws -> Money
    func totalValue(sku: String, company: String?) async throws -> Money
    func order(id: String, today: Date) async throws -> OrderView
    func promise(sku: String, quantity: Quantity, at: String, today: Date) async throws -> Date?
    /// Items whose quantities do not sum to zero over all locations.
    func imbalances() async throws -> [String]
    /// Called when the file is done, to remove what was made for it.
    func finish() async
}

extension ScenarioTarget {
    public func finish() async {}
}
