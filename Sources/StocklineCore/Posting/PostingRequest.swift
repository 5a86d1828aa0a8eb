public import Foundation

/// One command on its way into the ledger.
public struct PostingRequest: Sendable, Hashable {
    public var key: String
    public var operation: StockOperation
    public var actor: String
    public var source: String
    public var reason: String?
    public var reference: String?
    public var now: Date
    /// The name of the API token the request came with, and the request's id, for the audit trail.
    public var token: String?
    public var requestID: String?

    public init(
        key: String, operation: StockOperation, actor: String, source: String, reason: String? = nil,
        reference: String? = nil, now: Date, token: String? = nil, requestID: String? = nil
    ) {
        self.token = token
        self.requestID = requestID
        self.key = key
        self.operation = operation
        self.actor = actor
        self.source = source
        self.reason = reason
        self.reference = reference
        self.now = now
    }
}

extension PostingRequest {
    /// Refuses a request carrying a name that could not be stored and compared exactly (see ``Identifier``); the
    /// posting pipeline calls it for every request before any is planned, so no door can skip it.
    ///
    /// - Parameter json: the operation as JSON, when the caller has it: a plain one needs no reflection.
    public func validate(json: String? = nil) throws(StockError) {
        try Identifier.validate(key, field: "key", kind: .key)
        try Identifier.validate(actor, field: "actor", kind: .reference)
        try Identifier.validate(source, field: "source", kind: .reference)
        if let reason { try Identifier.validate(reason, field: "reason", kind: .text) }
        if let reference { try Identifier.validate(reference, field: "reference", kind: .reference) }
        if let token { try Identifier.validate(token, field: "token", kind: .reference) }
        if let requestID { try Identifier.validate(requestID, field: "request_id", kind: .key) }
        if let json, Identifier.allPlain(json: json) { return }
        try operation.validateIdentifiers()
    }
}

/// How much a ledger holds.
public struct StoreCounts: Sendable, Hashable, Codable {
    public var items: Int
    public var moves: Int
    public var postings: Int
    public var events: Int
    public var layers: Int

    public init(items: Int, moves: Int, postings: Int, events: Int, layers: Int) {
        self.items = items
        self.moves = moves
        self.postings = postings
        self.events = events
        self.layers = layers
    }
}

/// A posting as it was asked for: enough to post it again, with the same key, time and attribution.
public struct RecordedPosting: Sendable, Hashable {
    public var id: Int64
    public var key: String
    public var operation: StockOperation
    public var at: Date
    public var actor: String
    public var source: String
    public var reason: String?

    public init(
        id: Int64, key: String, operation: StockOperation, at: Date, actor: String, source: String, reason: String?
    ) {
        self.id = id
        self.key = key
        self.operation = operation
        self.at = at
        self.actor = actor
        self.source = source
        self.reason = reason
    }
}
