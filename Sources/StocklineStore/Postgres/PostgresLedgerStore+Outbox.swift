import Foundation
import PostgresNIO

/// One event on its way into the outbox.
extension PostgresLedgerStore {
    /// Numbers `entries` and writes them to the outbox; the last statement of a writing transaction.
    ///
    /// Consumers page through the outbox with `events(after:)` and must never miss an event, so a number may only
    /// become visible after every smaller number has. Sequences cannot promise that: two transactions take 7 and 8,
    /// the one with 8 commits first, a reader passes 8, and 7 appears behind it for good. So the numbers come from
    /// the single `counter` row named `event`, updated (and so locked) here, at the very end of the transaction, and
    /// held until it commits: the next transaction to write events waits for that commit before it can take a
    /// number, which makes numbering order commit order, without gaps (a rolled-back transaction rolls its numbers
    /// back too).
    ///
    /// The cost is that the event-writing tails of transactions (this statement and the commit's flush) run one at
    /// a time across all instances; everything before it (locking, loading, planning, writing moves) still runs in
    /// parallel, and group commit puts many postings into one transaction. Should that tail become the limit, the
    /// known alternative is numbering from a sequence and letting readers stop below the oldest transaction still
    /// running (`pg_snapshot_xmin(pg_current_snapshot())` against a stored `pg_current_xact_id()`).
    static func appendEvents(_ db: PostgresSession, _ entries: [OutboxEntry]) async throws {
        guard !entries.isEmpty else { return }
        guard
            let last = try await db.value(
                "UPDATE counter SET value = value + \(Int64(entries.count)) WHERE name = 'event' RETURNING value",
                as: Int64.self)
        else { throw StoreError.corrupt("the outbox counter row is missing") }
        let first = last - Int64(entries.count) + 1
        let sequences = Array(first...last)
        let payloads = entries.map(\.payload)
        try await db.execute(
            """
            INSERT INTO event (sequence, type, subject, payload, at)
            SELECT * FROM unnest(\(sequences)::bigint[], \(entries.map(\.type))::text[],
                \(entries.map(\.subject))::text[], \(payloads)::text[], \(entries.map { $0.at.timeIntervalSince1970 })::float8[])
            """)
    }
}
