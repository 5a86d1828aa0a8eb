public import Foundation
public import Stockline
import Synchronization

/// A clock that stands still until a test moves it, so postings get times a test can predict.
///
/// Pass it to the service through ``Stockline/Environment/fixed(clock:keys:)``; call ``advance(by:)`` between steps
/// when the order of postings in time matters (FIFO by receipt time, first expiry first).
public final class FixedClock: Sendable {
    /// 2026-01-01T00:00:00Z, the origin scenario runs use too.
    public static let origin = Date(timeIntervalSince1970: 1_767_225_600)

    private let current: Mutex<Date>

    public init(_ start: Date = FixedClock.origin) {
        current = Mutex(start)
    }

    /// The time the clock shows; the same on every call until it is moved.
    public func now() -> Date { current.withLock { $0 } }

    /// Moves the clock forward (or backward, with a negative interval).
    public func advance(by seconds: TimeInterval = 1) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    /// Sets the clock to `date`.
    public func set(_ date: Date) {
        current.withLock { $0 = date }
    }
}

/// Idempotency keys `prefix-000001`, `prefix-000002`, … in the order they are asked for.
///
/// Tests that post without naming a key get keys they can name afterwards (the first posting's key is
/// `key(1)`), instead of random UUIDs.
public final class SequentialKeys: Sendable {
    public let prefix: String
    private let counter = Mutex(0)

    public init(prefix: String = "key") {
        self.prefix = prefix
    }

    /// The next key; never the same twice.
    public func next() -> String {
        key(
            counter.withLock { count in
                count += 1
                return count
            })
    }

    /// The key handed out `number`-th (1-based), whether or not it has been handed out yet.
    public func key(_ number: Int) -> String {
        let digits = String(number)
        return "\(prefix)-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// How many keys have been handed out.
    public var issued: Int { counter.withLock { $0 } }
}

extension Environment {
    /// A deterministic environment: time from `clock`, keys from `keys`.
    public static func fixed(clock: FixedClock = FixedClock(), keys: SequentialKeys = SequentialKeys()) -> Environment {
        Environment(now: { clock.now() }, newKey: { keys.next() })
    }
}
