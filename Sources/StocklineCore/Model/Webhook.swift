public import Foundation

/// A receiver's standing order for events: where to send them, how to sign them, and which ones it wants.
///
/// The dispatcher walks the outbox once per subscription, from `lastSequence` on. Every event is either delivered,
/// skipped (it does not match the filters) or parked as a dead letter, and only then does `lastSequence` move past
/// it, so a dispatcher that stops at any point resumes exactly there: no event is lost, and an acknowledged one is
/// not sent again.
public struct WebhookSubscription: Sendable, Hashable, Codable {
    public var id: Int64
    /// Where deliveries are POSTed (http or https).
    public var url: String
    /// The signing secret, `whsec_` and base64 (Standard Webhooks); the receiver holds the same one.
    public var secret: String
    /// The event types to deliver (`posting.receive`, or `posting.*` for a whole family); nil means every type.
    public var eventTypes: Set<String>?
    /// The warehouse codes to deliver events of; nil means every event, also those that name no warehouse.
    public var warehouses: Set<String>?
    /// Paused subscriptions keep their place in the outbox but receive nothing.
    public var active: Bool
    /// The last event sequence delivered, skipped or parked: where the dispatcher resumes.
    public var lastSequence: Int64
    public var createdAt: Date

    public init(
        id: Int64, url: String, secret: String, eventTypes: Set<String>?, warehouses: Set<String>?,
        active: Bool, lastSequence: Int64, createdAt: Date
    ) {
        self.id = id
        self.url = url
        self.secret = secret
        self.eventTypes = eventTypes
        self.warehouses = warehouses
        self.active = active
        self.lastSequence = lastSequence
        self.createdAt = createdAt
    }

    /// Whether `event` passes both filters.
    ///
    /// A type filter entry ending in `.*` matches every type with that prefix. A warehouse filter matches events
    /// whose payload names one of its warehouses in `warehouses` (comma-separated codes, written for postings); an
    /// event that names no warehouse (a new company, a superseded item) does not pass a warehouse filter.
    public func matches(_ event: LedgerEvent) -> Bool {
        if let eventTypes, !eventTypes.contains(where: { Self.type($0, matches: event.type) }) { return false }
        if let warehouses {
            let named = LedgerEvent.warehouses(in: event.payload)
            if named.isDisjoint(with: warehouses) { return false }
        }
        return true
    }

    static func type(_ pattern: String, matches type: String) -> Bool {
        if pattern.hasSuffix(".*") { return type.hasPrefix(pattern.dropLast()) }
        return pattern == type
    }
}

/// What a new subscription asks for; the store assigns the id and the starting point.
public struct NewWebhookSubscription: Sendable, Hashable {
    public var url: String
    public var secret: String
    public var eventTypes: Set<String>?
    public var warehouses: Set<String>?
    public var active: Bool
    /// Deliver events after this sequence; nil starts at the end of the outbox (only events committed from now on).
    public var after: Int64?
    public var createdAt: Date

    public init(
        url: String, secret: String, eventTypes: Set<String>? = nil, warehouses: Set<String>? = nil,
        active: Bool = true, after: Int64? = nil, createdAt: Date
    ) {
        self.url = url
        self.secret = secret
        self.eventTypes = eventTypes
        self.warehouses = warehouses
        self.active = active
        self.after = after
        self.createdAt = createdAt
    }
}

extension NewWebhookSubscription {
    /// The longest URL accepted: longer ones are mistakes or abuse, and some receivers refuse them anyway.
    public static let maximumURLLength = 2_000

    /// Refuses what the dispatcher could not act on: a URL that is not absolute http(s) or holds control
    /// characters, an empty filter (it would match nothing; leave it out to match all), a negative start.
    public func validate() throws(StockError) {
        guard url.unicodeScalars.count <= Self.maximumURLLength else {
            throw .validationFailed(field: "url", reason: "at most \(Self.maximumURLLength) characters are accepted")
        }
        guard
            !url.unicodeScalars.contains(where: {
                $0.properties.isWhitespace || $0.properties.generalCategory == .control
            }),
            let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
            ["http", "https"].contains(scheme),
            let host = parsed.host, !host.isEmpty
        else { throw .validationFailed(field: "url", reason: "must be an absolute http or https URL") }
        if let eventTypes {
            guard !eventTypes.isEmpty else {
                throw .validationFailed(
                    field: "event_types", reason: "name at least one event type, or leave it out for every type")
            }
            for type in eventTypes {
                try Identifier.validate(type, field: "event_types", kind: .reference)
                let body = type.hasSuffix(".*") ? String(type.dropLast(2)) : type
                guard !body.isEmpty,
                    body.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || "._".contains($0)) })
                else {
                    throw .validationFailed(
                        field: "event_types",
                        reason: "'\(type)' is not an event type such as posting.receive or posting.*")
                }
            }
        }
        if let warehouses {
            guard !warehouses.isEmpty else {
                throw .validationFailed(
                    field: "warehouses", reason: "name at least one warehouse, or leave it out for every warehouse")
            }
            for code in warehouses { try Identifier.validate(code, field: "warehouses", kind: .reference) }
        }
        if let after, after < 0 {
            throw .validationFailed(field: "after", reason: "an event sequence is 0 or more, not \(after)")
        }
    }
}

/// A delivery that kept failing and was set aside, so the events behind it could flow; an operator replays it.
///
/// It keeps the exact body that was signed and sent, so a replay delivers the same message (with the same
/// `webhook-id`, which lets the receiver recognise a duplicate).
public struct WebhookDeadLetter: Sendable, Hashable, Codable {
    public var id: Int64
    public var subscriptionID: Int64
    /// The sequence of the event the delivery carried.
    public var sequence: Int64
    public var eventType: String
    /// The JSON body, byte for byte as it was sent.
    public var body: String
    /// Delivery attempts so far, replays included.
    public var attempts: Int
    /// The last failure: an HTTP status with the start of the answer, or why no answer came.
    public var lastError: String
    public var parkedAt: Date

    public init(
        id: Int64, subscriptionID: Int64, sequence: Int64, eventType: String, body: String, attempts: Int,
        lastError: String, parkedAt: Date
    ) {
        self.id = id
        self.subscriptionID = subscriptionID
        self.sequence = sequence
        self.eventType = eventType
        self.body = body
        self.attempts = attempts
        self.lastError = lastError
        self.parkedAt = parkedAt
    }
}

extension LedgerEvent {
    /// The payload key posting events list the warehouses they touched under, as comma-separated codes.
    public static let warehousesKey = "warehouses"

    /// The warehouse codes a payload names.
    public static func warehouses(in payload: [String: String]) -> Set<String> {
        guard let list = payload[warehousesKey] else { return [] }
        return Set(list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    }
}
