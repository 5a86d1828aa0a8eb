public import Foundation
public import StocklineCore

/// What a key answered when its request was not a posting (master data), or when its posting was refused: so a
/// replay gets the first answer and the same key with another request is refused, as for postings.
public struct RequestKeyRecord: Sendable, Hashable {
    public var key: String
    /// The request's kind and content; another request under the same key is refused.
    public var fingerprint: String
    /// The first answer, as JSON, or the refusal's code for a refused posting.
    public var response: String
    public var createdAt: Date

    public init(key: String, fingerprint: String, response: String, createdAt: Date) {
        self.key = key
        self.fingerprint = fingerprint
        self.response = response
        self.createdAt = createdAt
    }
}

/// The idempotency records of writes other than postings; a capability of every store.
public protocol RequestKeyStore: Sendable {
    func requestKey(_ key: String) async throws -> RequestKeyRecord?
    /// Keeps `record` unless its key has one already; answers the record the key holds afterwards.
    func saveRequestKey(_ record: RequestKeyRecord) async throws -> RequestKeyRecord
}

enum RequestKeySQL {
    static func table(text: String, real: String) -> String {
        """
        CREATE TABLE request_key (
            key \(text) PRIMARY KEY, fingerprint \(text) NOT NULL, response \(text) NOT NULL, created_at \(real) NOT NULL)
        """
    }
}

extension PostingRequest {
    /// What a replay of the key must match: the operation, as stored with the posting.
    public var fingerprint: String { get throws { try CanonicalJSON.text(operation) } }

    /// The fingerprint a refused posting leaves under its key.
    public var refusalFingerprint: String { get throws { Self.refusalFingerprint(try fingerprint) } }

    public static func refusalFingerprint(_ fingerprint: String) -> String { "posting " + fingerprint }
}
