public import Foundation

/// An outbox entry written in the same transaction as the posting it announces.
public struct LedgerEvent: Sendable, Hashable, Codable {
    public var sequence: Int64
    public var type: String
    public var subject: String
    public var payload: [String: String]
    public var at: Date

    public init(sequence: Int64, type: String, subject: String, payload: [String: String], at: Date) {
        self.sequence = sequence
        self.type = type
        self.subject = subject
        self.payload = payload
        self.at = at
    }
}
