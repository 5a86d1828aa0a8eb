import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import ServiceLifecycle
import Stockline
import StocklineCore
import StocklineHTTP
import StocklineStore
import StocklineTestSupport
import Testing

/// A webhook receiver on 127.0.0.1: checks every delivery's signature, can be told to fail, and records what came.
///
/// Each subscription in a test posts to its own path (`/hooks/<name>`), with its own secret and failure plan.
actor WebhookReceiver {
    struct Delivery: Sendable, Hashable {
        var hook: String
        var id: String
        var type: String
        var subject: String
        var sequence: Int
        var warehouses: String?
    }

    private var secrets: [String: String] = [:]
    /// Requests still to refuse with 500, per hook; `Int.max` is a receiver that is down.
    private var failures: [String: Int] = [:]
    private(set) var delivered: [Delivery] = []
    private(set) var attempts: [String: Int] = [:]
    /// Deliveries whose signature did not verify (each is refused with 401 and never recorded as delivered).
    private(set) var forged: [String] = []

    func expect(_ hook: String, secret: String) { secrets[hook] = secret }
    func fail(_ hook: String, times: Int) { failures[hook] = times }
    func recover(_ hook: String) { failures[hook] = 0 }
    func deliveries(_ hook: String) -> [Delivery] { delivered.filter { $0.hook == hook } }

    func receive(hook: String, headers: HTTPFields, body: ByteBuffer) -> HTTPResponse.Status {
        attempts[hook, default: 0] += 1
        func header(_ name: String) -> String { HTTPField.Name(name).flatMap { headers[$0] } ?? "" }
        let id = header("webhook-id")
        do {
            try WebhookSignature.verify(
                id: id, timestamp: header("webhook-timestamp"), signatures: header("webhook-signature"),
                body: Data(body.readableBytesView), secret: secrets[hook] ?? "")
        } catch {
            forged.append("\(hook) \(id): \(error)")
            return .unauthorized
        }
        if let left = failures[hook], left > 0 {
            if left != Int.max { failures[hook] = left - 1 }
            return .internalServerError
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
            let data = object["data"] as? [String: Any]
        else { return .badRequest }
        let payload = data["payload"] as? [String: String] ?? [:]
        delivered.append(
            Delivery(
                hook: hook, id: id, type: object["type"] as? String ?? "",
                subject: data["subject"] as? String ?? "", sequence: data["sequence"] as? Int ?? -1,
                warehouses: payload["warehouses"]))
        return .noContent
    }

    /// Runs a server for this receiver on a free loopback port while `body` runs, and stops it afterwards.
    func serve<Value: Sendable>(_ body: @Sendable (_ base: String) async throws -> Value) async throws -> Value {
        let (ports, announce) = AsyncStream.makeStream(of: Int.self)
        let router = Router()
        router.post("hooks/{hook}") { request, context -> Response in
            let hook = try context.parameters.require("hook")
            let body = try await request.body.collect(upTo: 1 << 20)
            return Response(status: await self.receive(hook: hook, headers: request.headers, body: body))
        }
        var logger = Logger(label: "webhook-receiver")
        logger.logLevel = .error
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in announce.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let services = ServiceGroup(configuration: .init(services: [app], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else {
                await services.triggerGracefulShutdown()
                throw CancellationError()
            }
            do {
                let value = try await body("http://127.0.0.1:\(port)/hooks")
                await services.triggerGracefulShutdown()
                return value
            } catch {
                await services.triggerGracefulShutdown()
                throw error
            }
        }
    }
}

/// Fast timings for tests: deliveries are retried after about 10, 20, 40 ms and parked after `attempts` attempts.
func testDispatcher(attempts: Int = 4, owner: String = WebhookDispatcher.Configuration.uniqueOwner())
    -> WebhookDispatcher.Configuration
{
    WebhookDispatcher.Configuration(
        pollInterval: .milliseconds(20),
        retry: WebhookRetryPolicy(
            baseDelay: .milliseconds(10), maximumDelay: .milliseconds(100), maxAttempts: attempts),
        requestTimeout: .seconds(2), owner: owner)
}

/// Errors only: the dispatcher logs every retry, which a test provokes on purpose.
func quietLogger() -> Logger {
    var logger = Logger(label: "test")
    logger.logLevel = .error
    return logger
}

/// Polls `condition` until it holds or `timeout` passes; answers whether it held.
func eventually(timeout: Duration = .seconds(5), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}

extension APIWorld {
    /// Serves the API with the application's own webhook dispatcher running, with test timings.
    func testWithWebhooks(attempts: Int = 4, _ body: @Sendable (any TestClientProtocol) async throws -> Void)
        async throws
    {
        let app = try buildApplication(
            inventory: inventory, configuration: .init(webhooks: testDispatcher(attempts: attempts)),
            logger: quietLogger())
        try await app.test(.router, body)
    }

    func receive(_ key: String, qty: Int = 1, at warehouse: String = "WH1") async throws {
        try await inventory.post(
            .receive(.init(sku: "P1", qty: Fixed(qty), at: warehouse, unitCost: Fixed(2))), key: key)
    }
}

@Suite("webhooks")
struct WebhookTests {
    @Test("the signature matches the Standard Webhooks test vector and refuses a changed body or an old timestamp")
    func signatureVector() throws {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        let body = Data(#"{"test": 2432232314}"#.utf8)
        let signature = try WebhookSignature.sign(
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330,
            body: body, secret: secret)
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        let then = Date(timeIntervalSince1970: 1_614_265_330)
        try WebhookSignature.verify(
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: "1614265330",
            signatures: "v1,bm9wZQ== \(signature)", body: body, secret: secret, now: then)
        #expect(throws: WebhookSignatureError.noMatchingSignature) {
            try WebhookSignature.verify(
                id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: "1614265330",
                signatures: signature, body: Data(#"{"test": 1}"#.utf8), secret: secret, now: then)
        }
        #expect(throws: WebhookSignatureError.timestampOutOfTolerance) {
            try WebhookSignature.verify(
                id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: "1614265330",
                signatures: signature, body: body, secret: secret,
                now: then.addingTimeInterval(301))
        }
        #expect(WebhookSignature.normalized("not a secret") == nil)
        #expect(WebhookSignature.key(of: WebhookSignature.newSecret())?.count == 32)
    }

    @Test("retry pauses grow exponentially, stay within the cap, and jitter takes off at most half")
    func backoff() {
        let policy = WebhookRetryPolicy(baseDelay: .seconds(1), maximumDelay: .seconds(60), maxAttempts: 10)
        #expect(policy.delay(afterAttempt: 1, jitter: 1) == .seconds(1))
        #expect(policy.delay(afterAttempt: 3, jitter: 1) == .seconds(4))
        #expect(policy.delay(afterAttempt: 3, jitter: 0) == .seconds(2))
        #expect(policy.delay(afterAttempt: 9, jitter: 1) == .seconds(60))
        #expect(policy.delay(afterAttempt: 50, jitter: 0.5) == .seconds(45))
    }

    @Test("signed deliveries arrive in order; a receiver failing for a while gets every event after retries")
    func retriesThenSuccess() async throws {
        let world = try await APIWorld()
        let receiver = WebhookReceiver()
        let admin = world.admin
        try await receiver.serve { base in
            try await world.testWithWebhooks { client in
                let (status, created) = try await client.send(
                    .post, "/v1/webhooks", json: #"{"url": "\#(base)/flaky", "event_types": ["posting.*"]}"#,
                    token: admin)
                #expect(status == 201)
                let secret = try #require(created["secret"] as? String)
                #expect(secret.hasPrefix("whsec_"))
                await receiver.expect("flaky", secret: secret)
                await receiver.fail("flaky", times: 3)
                for index in 1...5 { try await world.receive("r\(index)") }
                #expect(await eventually { await receiver.deliveries("flaky").count == 5 })
                #expect(
                    await eventually {
                        let last = Int64(await receiver.deliveries("flaky").last?.sequence ?? 0)
                        return (try? await world.inventory.store.webhooks().first?.lastSequence) == last
                    }, "the cursor advances past the last delivery")
                #expect(
                    try await Self.deadLetters(client, admin).isEmpty,
                    "nothing is parked when the receiver recovers in time")
            }
        }
        let deliveries = await receiver.deliveries("flaky")
        #expect(deliveries.map(\.subject) == ["r1", "r2", "r3", "r4", "r5"])
        #expect(deliveries.allSatisfy { $0.type == "posting.receive" && $0.id == "evt_\($0.sequence)" })
        #expect(deliveries.map(\.sequence) == deliveries.map(\.sequence).sorted())
        #expect(await receiver.attempts["flaky"] == 8, "3 refused attempts, then one per event")
        #expect(await receiver.forged.isEmpty)
        let subscription = try #require(try await world.inventory.store.webhooks().first)
        #expect(subscription.lastSequence == Int64(deliveries.last?.sequence ?? 0))
    }

    @Test("a permanently failing delivery is parked, later events flow, and a replay after recovery delivers it")
    func deadLetterAndReplay() async throws {
        let world = try await APIWorld()
        let receiver = WebhookReceiver()
        let admin = world.admin
        try await receiver.serve { base in
            try await world.testWithWebhooks(attempts: 3) { client in
                let secret = WebhookSignature.newSecret()
                await receiver.expect("down", secret: secret)
                await receiver.fail("down", times: .max)
                let (status, created) = try await client.send(
                    .post, "/v1/webhooks", json: #"{"url": "\#(base)/down", "secret": "\#(secret)"}"#, token: admin)
                #expect(status == 201)
                #expect(created["secret"] == nil, "a given secret is not echoed")
                try await world.receive("lost")
                var letters: [[String: Any]] = []
                #expect(
                    try await eventually {
                        letters = try await Self.deadLetters(client, admin)
                        return letters.count == 1
                    })
                let letter = try #require(letters.first)
                #expect(letter["attempts"] as? Int == 3)
                #expect((letter["last_error"] as? String)?.hasPrefix("HTTP 500") == true)
                #expect(letter["type"] as? String == "posting.receive")
                let id = try #require(letter["id"] as? Int)

                let (_, stillDown) = try await client.send(
                    .post, "/v1/webhooks/dead-letters/\(id)/replay", token: admin)
                #expect(stillDown["delivered"] as? Bool == false)
                #expect(stillDown["status"] as? Int == 500)
                #expect((stillDown["dead_letter"] as? [String: Any])?["attempts"] as? Int == 4)

                await receiver.recover("down")
                try await world.receive("after")
                #expect(await eventually { await receiver.deliveries("down").map(\.subject) == ["after"] })
                let (replayed, outcome) = try await client.send(
                    .post, "/v1/webhooks/dead-letters/\(id)/replay",
                    token: admin)
                #expect(replayed == 200)
                #expect(outcome["delivered"] as? Bool == true)
                #expect(try await Self.deadLetters(client, admin).isEmpty)
                let (missing, problem) = try await client.send(
                    .post, "/v1/webhooks/dead-letters/\(id)/replay",
                    token: admin)
                #expect(missing == 404)
                #expect(problem["code"] as? String == "not_found")
            }
        }
        let deliveries = await receiver.deliveries("down")
        #expect(deliveries.map(\.subject) == ["after", "lost"])
        #expect(deliveries.last?.id == "evt_\(deliveries.last?.sequence ?? 0)", "a replay keeps the message id")
        #expect(await receiver.forged.isEmpty)
    }

    @Test("event-type and warehouse filters pick the events a subscription gets")
    func filters() async throws {
        let world = try await APIWorld()
        let receiver = WebhookReceiver()
        let admin = world.admin
        try await receiver.serve { base in
            try await world.testWithWebhooks { client in
                for (hook, filter) in [
                    ("wh2", #""warehouses": ["WH2"]"#), ("transfers", #""event_types": ["posting.transfer"]"#),
                ] {
                    let (status, created) = try await client.send(
                        .post, "/v1/webhooks", json: #"{"url": "\#(base)/\#(hook)", \#(filter)}"#, token: admin)
                    #expect(status == 201)
                    await receiver.expect(hook, secret: created["secret"] as? String ?? "")
                }
                let (unknown, problem) = try await client.send(
                    .post, "/v1/webhooks", json: #"{"url": "\#(base)/x", "warehouses": ["NOPE"]}"#, token: admin)
                #expect(unknown == 422)
                #expect(problem["code"] as? String == "unknown_location")
                try await world.receive("in1", qty: 5, at: "WH1")
                try await world.receive("in2", qty: 5, at: "WH2")
                try await world.inventory.post(
                    .transfer(.init(sku: "P1", qty: Fixed(2), from: "WH1", to: "WH2")),
                    key: "move")
                #expect(
                    await eventually {
                        let warehouse = await receiver.deliveries("wh2").count
                        let transfers = await receiver.deliveries("transfers").count
                        return warehouse == 2 && transfers == 1
                    })
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(await receiver.deliveries("wh2").map(\.subject) == ["in2", "move"])
        #expect(await receiver.deliveries("wh2").map(\.warehouses) == ["WH2", "WH1,WH2"])
        #expect(await receiver.deliveries("transfers").map(\.subject) == ["move"])
    }

    @Test("a dispatcher started from scratch resumes at the stored cursor; two at once deliver each event once")
    func resumeAfterRestart() async throws {
        let world = try await APIWorld()
        let receiver = WebhookReceiver()
        let logger = quietLogger()
        let secret = WebhookSignature.newSecret()
        await receiver.expect("resume", secret: secret)
        try await receiver.serve { base in
            let subscription = try await world.inventory.store.addWebhook(
                NewWebhookSubscription(url: "\(base)/resume", secret: secret, createdAt: Date()))
            let first = WebhookDispatcher(inventory: world.inventory, configuration: testDispatcher(), logger: logger)
            let running = Task { try await first.run() }
            for index in 1...3 { try await world.receive("a\(index)") }
            #expect(await eventually { await receiver.deliveries("resume").count == 3 })
            // Stop once the third delivery is acknowledged in the store; one still in flight would be sent again.
            let third = await receiver.deliveries("resume").last?.sequence ?? 0
            #expect(
                try await eventually {
                    try await world.inventory.store.webhooks().first?.lastSequence == Int64(third)
                })
            running.cancel()
            try await running.value

            // Events committed while no dispatcher runs wait in the outbox.
            for index in 4...5 { try await world.receive("a\(index)") }
            try await Task.sleep(for: .milliseconds(50))
            #expect(await receiver.deliveries("resume").count == 3)

            // Two fresh dispatchers (two instances, say): the lease lets one deliver, each event exactly once.
            let second = WebhookDispatcher(inventory: world.inventory, configuration: testDispatcher(), logger: logger)
            let other = WebhookDispatcher(inventory: world.inventory, configuration: testDispatcher(), logger: logger)
            let restarted = [Task { try await second.run() }, Task { try await other.run() }]
            for index in 6...8 { try await world.receive("a\(index)") }
            #expect(await eventually { await receiver.deliveries("resume").count >= 8 })
            try await Task.sleep(for: .milliseconds(100))
            for task in restarted { task.cancel() }
            for task in restarted { try await task.value }
            let stored = try await world.inventory.store.webhooks().first { $0.id == subscription.id }
            let last = await receiver.deliveries("resume").last?.sequence ?? 0
            #expect(stored?.lastSequence == Int64(last))
        }
        let subjects = await receiver.deliveries("resume").map(\.subject)
        #expect(subjects == (1...8).map { "a\($0)" }, "no event lost, none delivered twice, in order")
        #expect(await receiver.forged.isEmpty)
    }

    static func deadLetters(_ client: any TestClientProtocol, _ token: String) async throws -> [[String: Any]] {
        let response = try await client.execute(
            uri: "/v1/webhooks/dead-letters", method: .get, headers: [.authorization: "Bearer \(token)"], body: nil)
        return (try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [[String: Any]]) ?? []
    }
}

/// The webhook part of the store contract, on both stores with the same body.
@Suite("webhook store")
struct WebhookStoreTests {
    enum Kind: String, CaseIterable, Sendable { case sqlite, postgres }

    /// A fresh store of `kind` with one company and warehouse; PostgreSQL is skipped, visibly, only off CI.
    static func open(_ kind: Kind) async throws -> (store: any LedgerStore, remove: @Sendable () async -> Void) {
        let store: any LedgerStore
        let remove: @Sendable () async -> Void
        switch kind {
        case .sqlite:
            let ledger = try await TemporaryLedger.make()
            (store, remove) = (ledger.inventory.store, { ledger.remove() })
        case .postgres:
            do {
                _ = try await PostgresCluster.url()
            } catch {
                guard !PostgresCluster.isRequired else { throw error }
                try Test.cancel("PostgreSQL is not available, so this PostgreSQL store test does not run: \(error)")
            }
            let postgres = try await PostgresCluster.temporaryStore()
            (store, remove) = (postgres, { await PostgresCluster.remove(postgres) })
        }
        let inventory = Inventory(store: store)
        try await inventory.addCompany(code: "ACME")
        try await inventory.addWarehouse(code: "WH1")
        return (store, remove)
    }

    @Test("subscriptions, leases, cursors and dead letters behave the same on both stores", arguments: Kind.allCases)
    func contract(kind: Kind) async throws {
        let (store, remove) = try await Self.open(kind)
        do {
            try await Self.checkContract(store)
        } catch {
            await remove()
            throw error
        }
        await remove()
    }

    static func checkContract(_ store: any LedgerStore) async throws {
        let head = try await store.events(after: 0, limit: 1000).last?.sequence ?? 0
        let now = Date(timeIntervalSince1970: 1000)
        func later(_ seconds: TimeInterval) -> Date { now.addingTimeInterval(seconds) }

        let first = try await store.addWebhook(
            .init(
                url: "http://127.0.0.1:1/a", secret: "s1", eventTypes: ["posting.*"], warehouses: ["WH1"],
                createdAt: now))
        #expect(first.lastSequence == head, "a new subscription starts at the end of the outbox")
        let second = try await store.addWebhook(
            .init(url: "http://127.0.0.1:1/b", secret: "s2", active: false, after: 1, createdAt: now))
        let stored = try await store.webhooks()
        #expect(stored == [first, second])
        #expect(stored.last?.eventTypes == nil && stored.last?.active == false && stored.last?.lastSequence == 1)

        #expect(try await store.claimWebhook(id: first.id, owner: "one", until: later(60), now: now) == first)
        #expect(try await store.claimWebhook(id: first.id, owner: "two", until: later(90), now: later(30)) == nil)
        #expect(try await store.claimWebhook(id: first.id, owner: "one", until: later(90), now: later(30)) != nil)
        #expect(try await store.claimWebhook(id: first.id, owner: "two", until: later(200), now: later(100)) != nil)
        try await store.releaseWebhook(id: first.id, owner: "one")
        #expect(try await store.claimWebhook(id: first.id, owner: "one", until: later(200), now: later(100)) == nil)
        try await store.releaseWebhook(id: first.id, owner: "two")
        #expect(try await store.claimWebhook(id: first.id, owner: "one", until: later(200), now: later(100)) != nil)
        #expect(try await store.claimWebhook(id: 999, owner: "one", until: later(60), now: now) == nil)

        #expect(try await store.advanceWebhookCursor(id: first.id, to: head + 5))
        #expect(try await store.advanceWebhookCursor(id: first.id, to: head + 2))
        #expect(try await !store.advanceWebhookCursor(id: 999, to: head + 2))
        #expect(try await store.webhooks().first?.lastSequence == head + 5, "a cursor never moves backwards")

        let letter = try #require(
            try await store.parkDeadLetter(
                subscription: first.id, sequence: head + 7, eventType: "posting.receive", body: #"{"a":1}"#,
                attempts: 3, error: "HTTP 500", at: now))
        #expect(try await store.webhooks().first?.lastSequence == head + 7, "parking moves the cursor past the event")
        #expect(
            try await store.parkDeadLetter(
                subscription: 999, sequence: 1, eventType: "t", body: "", attempts: 1, error: "e", at: now) == nil)
        _ = try await store.parkDeadLetter(
            subscription: second.id, sequence: 9, eventType: "t", body: "b", attempts: 1, error: "e", at: now)
        #expect(try await store.deadLetters(subscription: nil).count == 2)
        #expect(try await store.deadLetters(subscription: first.id) == [letter])
        try await store.recordDeadLetterFailure(id: letter.id, error: "HTTP 502")
        let failedAgain = try await store.deadLetter(id: letter.id)
        #expect(failedAgain?.attempts == 4 && failedAgain?.lastError == "HTTP 502")
        #expect(try await store.removeDeadLetter(id: letter.id))
        #expect(try await !store.removeDeadLetter(id: letter.id))
        #expect(try await store.removeWebhook(id: second.id))
        #expect(try await !store.removeWebhook(id: second.id))
        #expect(try await store.deadLetters(subscription: nil).isEmpty, "a removed subscription takes its dead letters")
    }
}
