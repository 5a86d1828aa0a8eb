public import Foundation
public import Stockline
import Synchronization

/// The hand-stepped clock of the demo year, so that every posting time is the same on every run.
///
/// The builder sets it to each business day and advances it a little per posting; pass `environment` to the
/// `Inventory` so that anything the service stamps by itself reads the same fake time.
public final class DemoClock: Sendable {
    private let current: Mutex<Date>
    private let keys = Mutex(0)

    /// 2 January 2025, 06:00 UTC: the first business morning of the demo year.
    public static let start = Date(timeIntervalSince1970: 1_735_797_600)

    public init(start: Date = DemoClock.start) {
        current = Mutex(start)
    }

    public var now: Date { current.withLock { $0 } }

    func set(_ date: Date) { current.withLock { $0 = date } }

    func advance(seconds: TimeInterval) { current.withLock { $0 += seconds } }

    /// Reads this clock and hands out counting keys (`demo-env-000001`) for postings given without one.
    public var environment: Environment {
        Environment(
            now: { [self] in now },
            newKey: { [self] in "demo-env-" + DemoClock.padded(nextKey()) })
    }

    private func nextKey() -> Int {
        keys.withLock { value in
            value += 1
            return value
        }
    }

    static func padded(_ number: Int, width: Int = 6) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
