import Foundation
public import Logging
public import ServiceLifecycle
public import Stockline
public import StocklineCore
import Synchronization

/// Delivers outbox events to webhook subscriptions: at least once, one at a time and in sequence order per
/// subscription, retried with backoff, and parked as dead letters when a receiver keeps failing.
///
/// It is a service of the HTTP application (``buildApplication(inventory:configuration:logger:)`` runs it) and keeps
/// no state of its own: each subscription's place in the outbox is its stored cursor, moved only after an event was
/// acknowledged (2xx), skipped by the filters, or parked (in the same transaction as the parking). A dispatcher that
/// crashes therefore resumes where it stopped; the one event in flight at the crash is delivered again, which
/// receivers recognise by its `webhook-id`.
///
/// When several instances share one PostgreSQL database, each runs a dispatcher; a lease on each subscription
/// (taken with a conditional UPDATE, renewed while delivering) lets only one of them deliver it at a time, so order
/// holds. A lease of a crashed instance expires after ``Configuration/lease``; a stopping one gives its leases back.
public struct WebhookDispatcher: Service {
    /// Timing and limits; the defaults suit production, tests shrink them.
    public struct Configuration: Sendable {
        /// How often the outbox is checked for new events when there is nothing to deliver.
        public var pollInterval: Duration
        public var retry: WebhookRetryPolicy
        /// How long one delivery attempt may take.
        public var requestTimeout: Duration
        /// Events read from the outbox at a time, per subscription.
        public var batchSize: Int
        /// How long a subscription stays with this dispatcher without a renewal; at least three request timeouts.
        public var lease: Duration
        /// This dispatcher's name in leases; unique per running instance.
        public var owner: String
        /// A random number in 0..<1 for the jitter of retry pauses.
        public var random: @Sendable () -> Double

        public init(
            pollInterval: Duration = .milliseconds(500), retry: WebhookRetryPolicy = .init(),
            requestTimeout: Duration = .seconds(10), batchSize: Int = 100, lease: Duration = .seconds(60),
            owner: String = Configuration.uniqueOwner(),
            random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
        ) {
            self.pollInterval = pollInterval
            self.retry = retry
            self.requestTimeout = requestTimeout
            self.batchSize = max(1, batchSize)
            self.lease = max(lease, requestTimeout * 3)
            self.owner = owner
            self.random = random
        }

        /// `<host>-<pid>-<random>`: tells instances apart in leases, and says in the database which one holds what.
        /// The host is `$HOSTNAME` (containers set it), not `ProcessInfo.hostName`, which may wait for DNS.
        public static func uniqueOwner() -> String {
            let info = ProcessInfo.processInfo
            let host = info.environment["HOSTNAME"].flatMap { $0.isEmpty ? nil : $0 } ?? "stockline"
            return "\(host)-\(info.processIdentifier)-\(UUID().uuidString.prefix(8).lowercased())"
        }
    }

    let store: Inventory
    let now: @Sendable () -> Date
    let configuration: Configuration
    let sender: WebhookSender
    let logger: Logger
    /// Where failed attempts and parked deliveries are counted, when the server exposes metrics.
    var metrics: ServerMetrics?

    /// A dispatcher over `inventory`'s outbox; `sender` defaults to the shared webhook HTTP client.
    public init(
        inventory: Inventory, configuration: Configuration = .init(), sender: WebhookSender? = nil,
        logger: Logger
    ) {
        self.store = inventory
        self.now = inventory.environment.now
        self.configuration = configuration
        self.sender = sender ?? WebhookSender(timeout: configuration.requestTimeout, now: inventory.environment.now)
        self.logger = logger
    }

    /// Polls and delivers until cancelled or, run by a service group, until a graceful shutdown; then gives back the
    /// leases it held. A delivery cut short is not acknowledged, so it is sent again later.
    public func run() async throws {
        let held = HeldLeases()
        await cancelWhenGracefulShutdown { await self.loop(held) }
        let ids = held.all
        guard !ids.isEmpty else { return }
        // This task is cancelled by now, and the store would refuse to start a transaction for it.
        try? await Self.uncancelled { [store, owner = configuration.owner] in
            for id in ids { try? await store.releaseWebhook(id: id, owner: owner) }
        }
    }

    // MARK: - Polling

    func loop(_ held: HeldLeases) async {
        await withDiscardingTaskGroup { group in
            var failing = false
            while !Task.isCancelled {
                do {
                    for subscription in try await store.webhooks() where subscription.active {
                        guard held.start(subscription.id) else { continue }
                        group.addTask {
                            await self.drain(subscription, held: held)
                            held.finish(subscription.id)
                        }
                    }
                    if failing { logger.notice("webhook subscriptions can be read again") }
                    failing = false
                } catch {
                    if !failing && !Task.isCancelled {
                        logger.warning(
                            "cannot read the webhook subscriptions; retrying", metadata: ["error": "\(error)"])
                    }
                    failing = true
                }
                do { try await Task.sleep(for: configuration.pollInterval) } catch { break }
            }
        }
    }

    /// Delivers what is waiting for one subscription, until it has caught up with the outbox or loses its lease.
    func drain(_ listed: WebhookSubscription, held: HeldLeases) async {
        var logger = self.logger
        logger[metadataKey: "webhook"] = "\(listed.id)"
        do {
            // A read first: a dispatcher with nothing to deliver writes nothing (not even its lease).
            let pending = try await store.events(after: listed.lastSequence, limit: 1)
            guard !pending.isEmpty else { return }
            var lease = Lease(id: listed.id)
            guard var subscription = try await lease.renew(self, holding: .zero) else { return }
            held.hold(listed.id)
            while !Task.isCancelled {
                let events = try await store.events(after: subscription.lastSequence, limit: configuration.batchSize)
                guard let last = events.last else { return }
                var skipped: Int64?
                for event in events {
                    guard subscription.matches(event) else {
                        skipped = event.sequence
                        continue
                    }
                    guard try await deliver(event, to: subscription, lease: &lease, logger: logger) else { return }
                    skipped = nil
                }
                if let skipped, try await !store.advanceWebhookCursor(id: subscription.id, to: skipped) { return }
                subscription.lastSequence = last.sequence
                if lease.isAging(self) {
                    guard let renewed = try await lease.renew(self, holding: .zero) else { return }
                    subscription = renewed
                }
            }
        } catch is CancellationError {
            return
        } catch {
            if !Task.isCancelled {
                logger.warning("webhook delivery stopped; it resumes at the next poll", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Delivers one event, retrying with backoff, and parks it when every attempt failed. Answers whether the
    /// subscription's cursor moved past the event (false: the lease was lost, or the subscription removed).
    func deliver(_ event: LedgerEvent, to subscription: WebhookSubscription, lease: inout Lease, logger: Logger)
        async throws -> Bool
    {
        let message = try WebhookMessage(event)
        var attempt = 0
        while true {
            attempt += 1
            if lease.isAging(self), try await lease.renew(self, holding: .zero) == nil { return false }
            switch await sender.send(message, to: subscription.url, secret: subscription.secret) {
            case .delivered:
                // Recorded even when a shutdown began meanwhile: the receiver has the event, so not recording it
                // would only send it again. False when the subscription was removed meanwhile: stop sending.
                return try await Self.uncancelled { [store] in
                    try await store.advanceWebhookCursor(id: subscription.id, to: event.sequence)
                }
            case .failed(_, let error):
                metrics?.recordWebhookFailure(parked: attempt >= configuration.retry.maxAttempts)
                try Task.checkCancellation()
                guard attempt < configuration.retry.maxAttempts else {
                    let parked = try await store.parkDeadLetter(
                        subscription: subscription.id, sequence: event.sequence, eventType: event.type,
                        body: message.body, attempts: attempt, error: error, at: now())
                    logger.warning(
                        "parked a webhook delivery as a dead letter",
                        metadata: [
                            "sequence": "\(event.sequence)", "attempts": "\(attempt)",
                            "error": "\(error)",
                        ])
                    return parked != nil
                }
                let pause = configuration.retry.delay(afterAttempt: attempt, jitter: configuration.random())
                logger.info(
                    "webhook delivery failed; retrying",
                    metadata: [
                        "sequence": "\(event.sequence)", "attempt": "\(attempt)", "error": "\(error)",
                        "retry_in": "\(pause)",
                    ])
                guard try await lease.renew(self, holding: pause) != nil else { return false }
                try await Task.sleep(for: pause)
            }
        }
    }

    /// Runs `work` in a task of its own, which a cancellation of the caller does not reach.
    static func uncancelled<Value: Sendable>(_ work: @escaping @Sendable () async throws -> Value) async throws -> Value
    {
        try await Task { try await work() }.value
    }

    // MARK: - Replay

    /// Delivers a dead letter again, now, with its original body and id; removes it when the receiver took it and
    /// counts the failure otherwise. Nil when there is no such dead letter.
    public func replay(deadLetter id: Int64) async throws -> WebhookReplay? {
        guard let letter = try await store.deadLetter(id: id) else { return nil }
        guard let subscription = try await store.webhooks().first(where: { $0.id == letter.subscriptionID }) else {
            return nil
        }
        let message = WebhookMessage(
            id: WebhookMessage.id(sequence: letter.sequence), eventType: letter.eventType,
            sequence: letter.sequence, body: letter.body)
        switch await sender.send(message, to: subscription.url, secret: subscription.secret) {
        case .delivered(let status):
            _ = try await store.removeDeadLetter(id: id)
            logger.info(
                "replayed a dead letter",
                metadata: [
                    "webhook": "\(subscription.id)",
                    "sequence": "\(letter.sequence)",
                ])
            return WebhookReplay(delivered: true, status: status, error: nil, deadLetter: nil)
        case .failed(let status, let error):
            try await store.recordDeadLetterFailure(id: id, error: error)
            return WebhookReplay(
                delivered: false, status: status, error: error,
                deadLetter: try await store.deadLetter(id: id))
        }
    }
}

/// What replaying a dead letter came to.
public struct WebhookReplay: Sendable, Hashable {
    public var delivered: Bool
    /// The receiver's HTTP status, when it answered.
    public var status: Int?
    public var error: String?
    /// The dead letter as it is now, when it is still parked.
    public var deadLetter: WebhookDeadLetter?
}

extension WebhookDispatcher {
    /// This dispatcher's lease on one subscription, renewed as it works.
    struct Lease {
        let id: Int64
        var renewedAt: ContinuousClock.Instant = .now

        /// Extends the lease to `holding` (a pause about to be taken) plus the configured lease from now; answers
        /// the subscription as stored, or nil when another dispatcher holds it or it is gone.
        mutating func renew(_ dispatcher: WebhookDispatcher, holding: Duration) async throws -> WebhookSubscription? {
            let seconds = Double((holding + dispatcher.configuration.lease).nanoseconds) / 1e9
            let now = dispatcher.now()
            let claimed = try await dispatcher.store.claimWebhook(
                id: id, owner: dispatcher.configuration.owner, until: now.addingTimeInterval(seconds), now: now)
            renewedAt = .now
            return claimed
        }

        /// Whether a third of the lease has passed since the last renewal, so the next attempt should renew first.
        func isAging(_ dispatcher: WebhookDispatcher) -> Bool {
            ContinuousClock.now - renewedAt > dispatcher.configuration.lease / 3
        }
    }

    /// The subscriptions a dispatcher is draining, and those it holds a lease on, shared by its tasks.
    final class HeldLeases: Sendable {
        private let state = Mutex<(running: Set<Int64>, leased: Set<Int64>)>(([], []))

        /// Marks a subscription as being drained; false when it already is.
        func start(_ id: Int64) -> Bool { state.withLock { $0.running.insert(id).inserted } }
        func finish(_ id: Int64) { state.withLock { _ = $0.running.remove(id) } }
        func hold(_ id: Int64) { state.withLock { _ = $0.leased.insert(id) } }
        var all: [Int64] { state.withLock { $0.leased.sorted() } }
    }
}
