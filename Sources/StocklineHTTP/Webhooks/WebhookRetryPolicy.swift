/// How often and how patiently a delivery is retried before it is parked as a dead letter.
///
/// The pause after the n-th failed attempt is `baseDelay * 2^(n-1)`, capped at `maximumDelay`, then scaled by a
/// random factor between 0.5 and 1 (jitter), so receivers that come back after an outage are not hit by every
/// sender at the same instant, while the pauses still grow. Deliveries of one subscription go one at a time, in
/// order, so every retry holds back the events behind it: the defaults give up after about four minutes.
public struct WebhookRetryPolicy: Sendable, Hashable {
    /// The pause after the first failed attempt, before jitter.
    public var baseDelay: Duration
    /// The longest pause, before jitter.
    public var maximumDelay: Duration
    /// Attempts in all, the first included; at least 1.
    public var maxAttempts: Int

    public init(baseDelay: Duration = .seconds(1), maximumDelay: Duration = .seconds(60), maxAttempts: Int = 10) {
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
        self.maxAttempts = max(1, maxAttempts)
    }

    /// The pause after failed attempt number `attempt` (1-based); `jitter` is a random number in 0..<1, passed in so
    /// tests can fix it.
    public func delay(afterAttempt attempt: Int, jitter: Double) -> Duration {
        var delay = baseDelay
        for _ in 1..<max(1, attempt) {
            delay *= 2
            if delay >= maximumDelay { break }
        }
        let factor = 0.5 + 0.5 * min(max(jitter, 0), 1)
        return min(delay, maximumDelay) * factor
    }
}
