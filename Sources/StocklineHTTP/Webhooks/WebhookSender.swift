public import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOHTTP1

/// Makes one delivery attempt: signs a message and POSTs it, and says whether the receiver took it.
///
/// Retrying is the dispatcher's business, not the HTTP client's: the client follows no redirects (a receiver must
/// answer at its registered URL) and does not retry a refused connection, so every attempt is one the dispatcher
/// counts, backs off from, and can park.
public struct WebhookSender: Sendable {
    /// The HTTP client used by default: one per process, never shut down, like `HTTPClient.shared`, but configured
    /// for webhooks.
    public static let sharedClient: HTTPClient = {
        var pool = HTTPClient.Configuration.ConnectionPool()
        pool.retryConnectionEstablishment = false
        let configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5), read: .seconds(30)),
            connectionPool: pool)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// The user agent deliveries carry.
    public static let userAgent = "Stockline-Webhooks/1"

    public var client: HTTPClient
    /// How long one attempt may take, from connecting to the end of the answer.
    public var timeout: Duration
    /// The clock the `webhook-timestamp` header is read from.
    public var now: @Sendable () -> Date

    public init(
        client: HTTPClient = WebhookSender.sharedClient, timeout: Duration = .seconds(10),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.client = client
        self.timeout = timeout
        self.now = now
    }

    /// POSTs `message` to `url`, signed with `secret`. Never throws: a failure is an outcome to count and retry, and
    /// cancellation (a shutting-down server) answers `.failed` too.
    public func send(_ message: WebhookMessage, to url: String, secret: String) async -> WebhookAttempt {
        let timestamp = Int64(now().timeIntervalSince1970)
        let signature: String
        do {
            signature = try WebhookSignature.sign(
                id: message.id, timestamp: timestamp, body: Data(message.body.utf8),
                secret: secret)
        } catch {
            return .failed(status: nil, error: error.description)
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "user-agent", value: Self.userAgent)
        request.headers.add(name: "webhook-id", value: message.id)
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(name: "webhook-signature", value: signature)
        request.body = .bytes(ByteBuffer(string: message.body))
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
            let answer = try await response.body.collect(upTo: 4096)
            let status = Int(response.status.code)
            guard (200..<300).contains(status) else {
                let text = String(buffer: answer).prefix(200).trimmingCharacters(in: .whitespacesAndNewlines)
                return .failed(status: status, error: "HTTP \(status)" + (text.isEmpty ? "" : ": \(text)"))
            }
            return .delivered(status: status)
        } catch {
            return .failed(status: nil, error: String(describing: error))
        }
    }
}

/// What one delivery attempt came to.
public enum WebhookAttempt: Sendable, Hashable {
    /// The receiver answered 2xx.
    case delivered(status: Int)
    /// Any other answer (`status`), or none (`status` nil: refused, timed out, invalid URL …).
    case failed(status: Int?, error: String)
}

extension Duration {
    /// Whole nanoseconds, for APIs that take an integer amount.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
