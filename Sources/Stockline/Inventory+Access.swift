public import Foundation
public import StocklineCore
import StocklineStore
import Synchronization

// Tokens, audit, webhooks, counts and whole-ledger copies: service operations, so that no door reaches the store.

extension Inventory {
    /// Stores a new API token (its hash); the name must be unique.
    public func addToken(name: String, hash: String, role: Role, warehouse: String?) async throws -> APIToken {
        try await store.addToken(name: name, hash: hash, role: role, warehouse: warehouse, at: environment.now())
    }

    public func token(hash: String) async throws -> APIToken? {
        if let known = knownTokens.withLock({ $0[hash] }) { return known }
        guard let token = try await store.token(hash: hash) else { return nil }
        knownTokens.withLock { known in
            if known.count >= 10_000 { known.removeAll() }
            known[hash] = token
        }
        return token
    }
    public func tokens() async throws -> [APIToken] { try await store.tokens() }

    /// Attributed postings, newest first.
    public func audit(_ filter: AuditFilter) async throws -> [AuditEntry] { try await store.audit(filter) }

    /// How much the ledger holds.
    public func counts() async throws -> StoreCounts { try await store.counts() }

    /// Changes an item in one write transaction (`change` sees the stored item, or throws and nothing is written);
    /// the item's book is read again by the next posting.
    public func updateItem(sku: String, _ change: @Sendable (Item) throws -> Item) async throws -> Item {
        let updated = try await store.updateItem(sku: sku, change)
        await committer.pipeline.forget([updated.id])
        return updated
    }
}

extension Inventory {
    /// Every subscription, by id.
    public func webhooks() async throws -> [WebhookSubscription] { try await store.webhooks() }

    /// Removes a subscription and its dead letters; false when there was none with that id.
    public func removeWebhook(id: Int64) async throws -> Bool { try await store.removeWebhook(id: id) }

    /// Parked deliveries, oldest first, of one subscription or all.
    public func deadLetters(subscription: Int64?) async throws -> [WebhookDeadLetter] {
        try await store.deadLetters(subscription: subscription)
    }

    public func deadLetter(id: Int64) async throws -> WebhookDeadLetter? { try await store.deadLetter(id: id) }

    /// Counts one more failed attempt of a dead letter and keeps its error.
    public func recordDeadLetterFailure(id: Int64, error: String) async throws {
        try await store.recordDeadLetterFailure(id: id, error: error)
    }

    /// Removes a dead letter (it was replayed); false when there was none with that id.
    public func removeDeadLetter(id: Int64) async throws -> Bool { try await store.removeDeadLetter(id: id) }

    /// Takes or renews the right to deliver a subscription's events until `until` (see `LedgerStore.claimWebhook`).
    public func claimWebhook(id: Int64, owner: String, until: Date, now: Date) async throws -> WebhookSubscription? {
        try await store.claimWebhook(id: id, owner: owner, until: until, now: now)
    }

    public func releaseWebhook(id: Int64, owner: String) async throws {
        try await store.releaseWebhook(id: id, owner: owner)
    }

    /// Records that every event up to `sequence` was delivered; false when the subscription is gone.
    @discardableResult
    public func advanceWebhookCursor(id: Int64, to sequence: Int64) async throws -> Bool {
        try await store.advanceWebhookCursor(id: id, to: sequence)
    }

    /// Parks a delivery that kept failing and moves the cursor past it, in one transaction.
    public func parkDeadLetter(
        subscription: Int64, sequence: Int64, eventType: String, body: String, attempts: Int, error: String, at: Date
    ) async throws -> WebhookDeadLetter? {
        try await store.parkDeadLetter(
            subscription: subscription, sequence: sequence, eventType: eventType, body: body, attempts: attempts,
            error: error, at: at)
    }
}

extension Inventory {
    /// Copies every row of this ledger into `target`, which must be migrated and empty; answers the rows copied
    /// per table.
    public func copy(to target: Inventory) async throws -> [(table: String, rows: Int)] {
        try await StoreCopy.copy(from: store, to: target.store).tables.map { ($0.table, $0.rows) }
    }

    /// Writes a backup of this ledger to a new SQLite file at `path`, which must not exist yet.
    public func backup(to path: String) async throws { try await StoreCopy.backup(store, to: path) }

    /// Checks a ledger address without connecting: a PostgreSQL URL must be one this store can use.
    public static func checkAddress(_ path: String) throws {
        if PostgresLedgerStore.isURL(path) { try PostgresLedgerStore.check(url: path) }
    }

    /// A new, empty ledger for one run (a scenario file): a SQLite file in a fresh temporary folder, or a fresh
    /// schema in the PostgreSQL database `postgresURL` names. ``discard()`` removes it.
    public static func scratch(
        postgresURL: String? = nil, connections: Int = 2, environment: Environment = .live
    ) async throws -> Inventory {
        guard let postgresURL else {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "stockline-scratch-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return try await open(
                path: directory.appendingPathComponent("ledger.sqlite").path, environment: environment)
        }
        let store = try await PostgresLedgerStore.scratch(
            url: postgresURL, prefix: "scratch", maximumConnections: connections)
        return Inventory(store: store, environment: environment)
    }

    /// Removes a ``scratch(postgresURL:environment:)`` ledger: its PostgreSQL schema, or its SQLite folder.
    public func discard() async {
        switch store {
        case let postgres as PostgresLedgerStore:
            try? await postgres.dropSchema()
            await postgres.shutdown()
        case let sqlite as SQLiteLedgerStore:
            try? FileManager.default.removeItem(at: URL(fileURLWithPath: sqlite.path).deletingLastPathComponent())
        default:
            break
        }
    }
}
