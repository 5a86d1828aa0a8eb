public import Foundation

/// The clock and key source the service uses; tests and scenario runs pass deterministic ones.
public struct Environment: Sendable {
    public var now: @Sendable () -> Date
    public var newKey: @Sendable () -> String

    public init(now: @escaping @Sendable () -> Date, newKey: @escaping @Sendable () -> String) {
        self.now = now
        self.newKey = newKey
    }

    /// The wall clock and random keys.
    public static let live = Environment(now: { Date() }, newKey: { UUID().uuidString.lowercased() })
}
