import Crypto
public import Foundation

/// Signing and verifying webhook deliveries as the Standard Webhooks specification describes
/// (<https://www.standardwebhooks.com>), so receivers can use any of its libraries instead of code of their own.
///
/// A delivery carries three headers: `webhook-id` (the message id, the same on every retry of one message),
/// `webhook-timestamp` (unix seconds when this attempt was signed) and `webhook-signature` (`v1,` and the base64
/// HMAC-SHA256 of `<id>.<timestamp>.<body>`, keyed with the base64-decoded part of the `whsec_…` secret). Signing the
/// timestamp lets a receiver refuse an old delivery replayed by someone who recorded it.
public enum WebhookSignature {
    /// The prefix of secrets in their usual printed form.
    public static let secretPrefix = "whsec_"

    /// How far a delivery's timestamp may be from the receiver's clock, by default (the specification's five minutes).
    public static let defaultTolerance: TimeInterval = 5 * 60

    /// A new secret of 32 random bytes, `whsec_` and base64.
    public static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return secretPrefix + Data(bytes).base64EncodedString()
    }

    /// The key bytes of a secret given with or without the `whsec_` prefix; nil unless it is base64 of 24 to 64 bytes
    /// (shorter keys are too weak, longer ones are not what receivers' libraries expect).
    public static func key(of secret: String) -> Data? {
        let encoded = secret.hasPrefix(secretPrefix) ? String(secret.dropFirst(secretPrefix.count)) : secret
        guard let key = Data(base64Encoded: encoded), (24...64).contains(key.count) else { return nil }
        return key
    }

    /// The secret in its canonical `whsec_<base64>` form, or nil when it is not a valid secret.
    public static func normalized(_ secret: String) -> String? {
        key(of: secret).map { secretPrefix + $0.base64EncodedString() }
    }

    /// The `webhook-signature` header value for one message: `v1,<base64 HMAC-SHA256>`.
    public static func sign(id: String, timestamp: Int64, body: some DataProtocol, secret: String)
        throws(WebhookSignatureError) -> String
    {
        guard let key = key(of: secret) else { throw .invalidSecret }
        let mac = HMAC<SHA256>.authenticationCode(
            for: signedContent(id: id, timestamp: timestamp, body: body),
            using: SymmetricKey(data: key))
        return "v1," + Data(mac).base64EncodedString()
    }

    /// Checks a received delivery: the timestamp is within `tolerance` of `now`, and one of the space-separated
    /// signatures in the `webhook-signature` header is a valid `v1` signature (there may be several while a secret
    /// is being rotated). The comparison takes the same time whatever the signature, so it reveals nothing.
    public static func verify(
        id: String, timestamp: String, signatures: String, body: some DataProtocol,
        secret: String, now: Date = Date(), tolerance: TimeInterval = defaultTolerance
    )
        throws(WebhookSignatureError)
    {
        guard let key = key(of: secret) else { throw .invalidSecret }
        guard let seconds = Int64(timestamp.trimmingCharacters(in: .whitespaces)) else { throw .invalidTimestamp }
        guard abs(now.timeIntervalSince1970 - TimeInterval(seconds)) <= tolerance else {
            throw .timestampOutOfTolerance
        }
        let content = signedContent(id: id, timestamp: seconds, body: body)
        let symmetricKey = SymmetricKey(data: key)
        for signature in signatures.split(separator: " ") {
            let parts = signature.split(separator: ",", maxSplits: 1)
            guard parts.count == 2, parts[0] == "v1", let mac = Data(base64Encoded: String(parts[1])) else { continue }
            if HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: content, using: symmetricKey) { return }
        }
        throw .noMatchingSignature
    }

    static func signedContent(id: String, timestamp: Int64, body: some DataProtocol) -> Data {
        var content = Data("\(id).\(timestamp).".utf8)
        content.append(contentsOf: body)
        return content
    }
}

/// Why a secret could not sign, or a delivery did not verify.
public enum WebhookSignatureError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidSecret
    case invalidTimestamp
    case timestampOutOfTolerance
    case noMatchingSignature

    public var description: String {
        switch self {
        case .invalidSecret: "the secret is not 'whsec_' and base64 of 24 to 64 bytes"
        case .invalidTimestamp: "the webhook-timestamp header is not a number of seconds"
        case .timestampOutOfTolerance: "the webhook-timestamp is too far from now (an old or replayed delivery)"
        case .noMatchingSignature: "no signature in webhook-signature matches the body"
        }
    }
}
