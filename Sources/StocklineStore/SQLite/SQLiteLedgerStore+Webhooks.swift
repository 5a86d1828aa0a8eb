public import Foundation
import GRDB
public import StocklineCore

extension SQLiteLedgerStore {
    public func addWebhook(_ subscription: NewWebhookSubscription) async throws -> WebhookSubscription {
        let eventTypes = try subscription.eventTypes.map { try Self.json($0.sorted()) }
        let warehouses = try subscription.warehouses.map { try Self.json($0.sorted()) }
        return try await pool.write { db in
            let start =
                try subscription.after
                ?? Int64.fetchOne(db, sql: "SELECT coalesce(max(sequence), 0) FROM event") ?? 0
            try db.execute(
                sql: """
                    INSERT INTO webhook_subscription (url, secret, event_types, warehouses, active, last_sequence, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    subscription.url, subscription.secret, eventTypes, warehouses, subscription.active,
                    start, subscription.createdAt.timeIntervalSince1970,
                ])
            return WebhookSubscription(
                id: db.lastInsertedRowID, url: subscription.url, secret: subscription.secret,
                eventTypes: subscription.eventTypes, warehouses: subscription.warehouses, active: subscription.active,
                lastSequence: start, createdAt: subscription.createdAt)
        }
    }

    public func webhooks() async throws -> [WebhookSubscription] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM webhook_subscription ORDER BY id").map(Self.webhook)
        }
    }

    public func removeWebhook(id: Int64) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM webhook_dead_letter WHERE subscription_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM webhook_subscription WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    public func claimWebhook(id: Int64, owner: String, until: Date, now: Date) async throws -> WebhookSubscription? {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE webhook_subscription SET lease_owner = ?, lease_until = ?
                    WHERE id = ? AND (lease_owner IS NULL OR lease_owner = ? OR lease_until < ?)
                    """, arguments: [owner, until.timeIntervalSince1970, id, owner, now.timeIntervalSince1970])
            guard db.changesCount > 0 else { return nil }
            return try Row.fetchOne(db, sql: "SELECT * FROM webhook_subscription WHERE id = ?", arguments: [id])
                .map(Self.webhook)
        }
    }

    public func releaseWebhook(id: Int64, owner: String) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE webhook_subscription SET lease_owner = NULL, lease_until = 0 WHERE id = ? AND lease_owner = ?
                    """, arguments: [id, owner])
        }
    }

    @discardableResult
    public func advanceWebhookCursor(id: Int64, to sequence: Int64) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE webhook_subscription SET last_sequence = max(last_sequence, ?) WHERE id = ?",
                arguments: [sequence, id])
            return db.changesCount > 0
        }
    }

    public func parkDeadLetter(
        subscription: Int64, sequence: Int64, eventType: String, body: String, attempts: Int,
        error: String, at: Date
    ) async throws -> WebhookDeadLetter? {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE webhook_subscription SET last_sequence = max(last_sequence, ?) WHERE id = ?",
                arguments: [sequence, subscription])
            guard db.changesCount > 0 else { return nil }
            try db.execute(
                sql: """
                    INSERT INTO webhook_dead_letter (subscription_id, sequence, event_type, body, attempts, last_error, parked_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [subscription, sequence, eventType, body, attempts, error, at.timeIntervalSince1970])
            return WebhookDeadLetter(
                id: db.lastInsertedRowID, subscriptionID: subscription, sequence: sequence,
                eventType: eventType, body: body, attempts: attempts, lastError: error, parkedAt: at)
        }
    }

    public func deadLetters(subscription: Int64?) async throws -> [WebhookDeadLetter] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM webhook_dead_letter WHERE (? IS NULL OR subscription_id = ?) ORDER BY id
                    """, arguments: [subscription, subscription]
            ).map(Self.deadLetter)
        }
    }

    public func deadLetter(id: Int64) async throws -> WebhookDeadLetter? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM webhook_dead_letter WHERE id = ?", arguments: [id])
                .map(Self.deadLetter)
        }
    }

    public func recordDeadLetterFailure(id: Int64, error: String) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE webhook_dead_letter SET attempts = attempts + 1, last_error = ? WHERE id = ?",
                arguments: [error, id])
        }
    }

    public func removeDeadLetter(id: Int64) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM webhook_dead_letter WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    static func webhook(_ row: Row) throws -> WebhookSubscription {
        WebhookSubscription(
            id: row["id"], url: row["url"], secret: row["secret"],
            eventTypes: try (row["event_types"] as String?).map { Set(try decode([String].self, $0)) },
            warehouses: try (row["warehouses"] as String?).map { Set(try decode([String].self, $0)) },
            active: row["active"], lastSequence: row["last_sequence"],
            createdAt: Date(timeIntervalSince1970: row["created_at"]))
    }

    static func deadLetter(_ row: Row) -> WebhookDeadLetter {
        WebhookDeadLetter(
            id: row["id"], subscriptionID: row["subscription_id"], sequence: row["sequence"],
            eventType: row["event_type"], body: row["body"], attempts: row["attempts"],
            lastError: row["last_error"], parkedAt: Date(timeIntervalSince1970: row["parked_at"]))
    }
}
