import Foundation
public import StocklineCore

/// One event as a webhook delivers it: the message id and the exact JSON body that is signed and sent.
///
/// The body follows the Standard Webhooks payload shape, `{"type", "timestamp", "data"}`, with the event's sequence,
/// subject and payload under `data`. The id is derived from the event's sequence (`evt_<sequence>`), so every retry
/// and every replay of one event carries the same id and a receiver can drop duplicates by it.
public struct WebhookMessage: Sendable, Hashable {
    public var id: String
    public var eventType: String
    public var sequence: Int64
    public var body: String

    public init(id: String, eventType: String, sequence: Int64, body: String) {
        self.id = id
        self.eventType = eventType
        self.sequence = sequence
        self.body = body
    }

    /// The message announcing `event`.
    public init(_ event: LedgerEvent) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let payload = Body(
            type: event.type, timestamp: event.at.iso8601,
            data: .init(sequence: event.sequence, subject: event.subject, payload: event.payload))
        self.init(
            id: Self.id(sequence: event.sequence), eventType: event.type, sequence: event.sequence,
            body: String(decoding: try encoder.encode(payload), as: UTF8.self))
    }

    /// The message id of the event with this sequence.
    public static func id(sequence: Int64) -> String { "evt_\(sequence)" }

    struct Body: Codable {
        var type: String
        var timestamp: String
        var data: EventData
    }

    struct EventData: Codable {
        var sequence: Int64
        var subject: String
        var payload: [String: String]
    }
}
