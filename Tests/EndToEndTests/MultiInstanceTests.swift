import Foundation
import StocklineTestSupport
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs three `stockline serve` processes against one PostgreSQL database and drives them over HTTP at the same
/// time: they never oversell, the changes feed is the same gapless sequence through each of them, and what one of
/// them acknowledged before it was killed with SIGKILL is in the ledger.
@Suite("end to end: several instances on one PostgreSQL", .serialized)
struct MultiInstanceTests {
    static let masterData = [
        #"{"company": {"code": "ACME", "currency": "EUR", "costing": "fifo"}}"#,
        #"{"warehouse": {"code": "WH1", "company": "ACME"}}"#,
        #"{"item": {"sku": "P1", "uom": "unit"}}"#,
        #"{"key": "r1", "receive": {"sku": "P1", "qty": 20, "unit_cost": 3, "at": "WH1"}}"#,
    ]

    @Test("200 clients over 3 instances reserve 50 units exactly; the feed is identical and gapless on each")
    func concurrentReservationsAndFeed() async throws {
        let cluster = try await Deployment.start(instances: 3)
        defer { cluster.stop() }
        // Each instance receives 10 of the 50 units itself, so each holds P1's book in memory, and each copy is
        // stale once another instance posts: only the store's version check keeps them from overselling.
        for instance in cluster.ports.indices {
            let body = #"{"receive": {"sku": "P1", "qty": 10, "unit_cost": 3, "at": "WH1"}}"#
            let (status, text) = try await cluster.post(body, key: "warm-\(instance)", instance: instance)
            #expect(status == 201, "instance \(instance) refused the receipt: \(text)")
        }

        let outcomes = await withTaskGroup(of: (Int, String).self) { group in
            for client in 0..<200 {
                group.addTask {
                    let body =
                        #"{"reserve": {"sku": "P1", "qty": 1, "at": "WH1", "order": "SO-\#(client)"}}"#
                    do {
                        let (status, text) = try await cluster.post(
                            body, key: "reserve-\(client)", instance: client % cluster.ports.count)
                        return (status, status == 409 ? Self.problemCode(text) ?? text : "")
                    } catch {
                        return (-1, "\(error)")
                    }
                }
            }
            var all: [(Int, String)] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        let created = outcomes.filter { $0.0 == 201 }.count
        let refused = outcomes.filter { $0.0 == 409 && $0.1 == "insufficient_stock" }.count
        let other = outcomes.filter { !($0.0 == 201 || ($0.0 == 409 && $0.1 == "insufficient_stock")) }
        print("multi-instance: \(created) reserved, \(refused) refused insufficient_stock, \(other.count) other")
        #expect(created == 50, "exactly the 50 units in stock are reserved")
        #expect(refused == 150, "the rest are refused: \(other.prefix(5))")

        let verify = try cluster.binary.run(["verify", "--db", cluster.url])
        #expect(verify.status == 0, "stockline verify: \(verify.stdout) \(verify.stderr)")

        var feeds: [[FeedEvent]] = []
        for instance in cluster.ports.indices {
            let (events, latest) = try await cluster.feed(instance: instance)
            #expect(
                latest > 0 && events.map(\.sequence) == Array(1...max(latest, 1)),
                "instance \(instance): the feed is 1...\(latest) without gaps or repeats")
            feeds.append(events)
        }
        #expect(feeds.allSatisfy { $0 == feeds[0] }, "every instance serves the same feed")
        #expect(Set(feeds[0].map(\.sequence)).count == feeds[0].count, "no event is served twice")
    }

    @Test("what an instance acknowledged before SIGKILL is in the ledger, and the ledger is sound")
    func killOneInstanceWhilePosting() async throws {
        let cluster = try await Deployment.start(instances: 3)
        defer { cluster.stop() }
        // Each instance receives 10 of the 50 units itself, so each holds P1's book in memory, and each copy is
        // stale once another instance posts: only the store's version check keeps them from overselling.
        for instance in cluster.ports.indices {
            let body = #"{"receive": {"sku": "P1", "qty": 10, "unit_cost": 3, "at": "WH1"}}"#
            let (status, text) = try await cluster.post(body, key: "warm-\(instance)", instance: instance)
            #expect(status == 201, "instance \(instance) refused the receipt: \(text)")
        }

        let progress = KillProgress()
        let victim = 0
        // 60 clients post 8 receipts of 1 unit each, spread over the instances; once 120 are acknowledged, instance
        // 0 is killed while the rest are still in flight.
        await withTaskGroup(of: Void.self) { group in
            for client in 0..<60 {
                group.addTask {
                    for round in 0..<8 {
                        let key = "receipt-\(client)-\(round)"
                        let body = #"{"receive": {"sku": "P1", "qty": 1, "unit_cost": 2, "at": "WH1"}}"#
                        let instance = (client + round) % cluster.ports.count
                        guard let (status, _) = try? await cluster.post(body, key: key, instance: instance) else {
                            continue  // the instance is gone: not acknowledged
                        }
                        guard status == 201 else { continue }
                        let count = progress.acknowledged.withLock { acks in
                            acks.insert(key)
                            return acks.count
                        }
                        if count >= 120,
                            progress.killed.withLock({ done in
                                defer { done = true }
                                return !done
                            })
                        {
                            cluster.kill(instance: victim)
                        }
                    }
                }
            }
        }
        let acks = progress.acknowledged.withLock { $0 }
        #expect(progress.killed.withLock { $0 }, "instance \(victim) was killed")
        #expect(cluster.wasKilled(instance: victim), "instance \(victim) died of SIGKILL")
        #expect(acks.count >= 120 && acks.count < 480, "\(acks.count) of 480 acknowledged; some were cut off")
        print("multi-instance kill: \(acks.count) of 480 receipts acknowledged")

        let survivor = 1
        var missing: [String] = []
        for key in acks.sorted() {
            let (status, _) = try await cluster.get("/v1/postings/\(key)", instance: survivor)
            if status != 200 { missing.append(key) }
        }
        #expect(missing.isEmpty, "\(missing.count) acknowledged receipts are missing, e.g. \(missing.prefix(5))")
        // Each survivor's answer is what the database holds, whatever its cache held before: at least the 50
        // units and every acknowledged receipt (a receipt cut off in flight may have committed too).
        for instance in [1, 2] {
            let (status, text) = try await cluster.get("/v1/stock?sku=P1&at=WH1", instance: instance)
            let stock = (try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])?.first
            let onHand = (stock?["on_hand"] as? NSNumber)?.intValue ?? Int((stock?["on_hand"] as? String) ?? "") ?? -1
            #expect(status == 200 && onHand >= 50 + acks.count && onHand <= 50 + 480, "instance \(instance): \(text)")
        }

        let verify = try cluster.binary.run(["verify", "--db", cluster.url])
        #expect(verify.status == 0, "stockline verify: \(verify.stdout) \(verify.stderr)")
        let (events, latest) = try await cluster.feed(instance: 2)
        #expect(events.map(\.sequence) == Array(1...max(latest, 1)), "the feed stays gapless after the kill")
    }

    @Test("100 clients over 3 instances receive against the same purchase-order lines: no line takes more than ordered")
    func concurrentReceiptsAgainstOnePurchaseOrder() async throws {
        let cluster = try await Deployment.start(instances: 3)
        defer { cluster.stop() }
        let (partner, partnerText) = try await cluster.post(
            #"{"code": "DENSO", "role": "supplier", "lead_days": 4}"#, to: "/v1/partners", key: "p1", instance: 0)
        #expect(partner == 201, "\(partnerText)")
        let item = #"{"item": {"sku": "P2", "uom": "unit"}}"#
        let setup = try cluster.binary.run(["post", "--db", cluster.url], input: item + "\n")
        #expect(setup.status == 0, "\(setup.stderr)")
        let order = #"""
            {"supplier": "DENSO", "at": "WH1", "lines": [{"sku": "P1", "qty": 30, "unit_cost": 3},
                {"sku": "P2", "qty": 25, "unit_cost": 5}]}
            """#
        let (placed, text) = try await cluster.post(order, to: "/v1/purchase-orders", key: "po-1", instance: 1)
        #expect(placed == 201, "\(text)")
        // Every instance reads the order first, so each holds both items' books, stale once another receives.
        for instance in cluster.ports.indices {
            let (status, _) = try await cluster.get("/v1/orders/po-1", instance: instance)
            #expect(status == 201 || status == 200)
        }
        let outcomes = await withTaskGroup(of: (Int, String).self) { group in
            for client in 0..<100 {
                group.addTask {
                    let sku = client % 2 == 0 ? "P1" : "P2"
                    let body = #"{"receive": {"po": "po-1", "lines": [{"sku": "\#(sku)", "qty": 1}]}}"#
                    do {
                        let (status, text) = try await cluster.post(
                            body, key: "receipt-\(client)", instance: client % cluster.ports.count)
                        return (status, status == 201 ? sku : Self.problemCode(text) ?? text)
                    } catch {
                        return (-1, "\(error)")
                    }
                }
            }
            var all: [(Int, String)] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        let received = Dictionary(grouping: outcomes.filter { $0.0 == 201 }, by: \.1).mapValues(\.count)
        let refused = outcomes.filter { $0.0 == 409 && $0.1 == "invalid_state" }.count
        print("multi-instance receipts: \(received) received, \(refused) refused invalid_state")
        // 50 clients per line: P1 takes its 30, P2 its 25, and every other receipt is refused.
        #expect(received["P1"] == 30 && received["P2"] == 25, "\(outcomes.filter { $0.0 != 201 }.prefix(5))")
        #expect(refused == 45)
        for instance in cluster.ports.indices {
            let (status, text) = try await cluster.get("/v1/orders/po-1", instance: instance)
            let view = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
            #expect(status == 200 && view?["status"] as? String == "done", "instance \(instance): \(text)")
        }
        let (_, stock) = try await cluster.get("/v1/stock?sku=P1&at=WH1", instance: 2)
        let row = (try JSONSerialization.jsonObject(with: Data(stock.utf8)) as? [[String: Any]])?.first
        #expect((row?["on_hand"] as? NSNumber)?.intValue == 50, "20 from the set-up and the order's 30: \(stock)")
        #expect((row?["incoming"] as? NSNumber)?.intValue == 0)
        let verify = try cluster.binary.run(["verify", "--db", cluster.url])
        #expect(verify.status == 0, "stockline verify: \(verify.stdout) \(verify.stderr)")
    }

    /// The `code` of an RFC 9457 problem document.
    static func problemCode(_ text: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            return nil
        }
        return object["code"] as? String
    }
}

/// What the clients of the kill test share: the keys acknowledged so far, and whether the victim was killed.
final class KillProgress: Sendable {
    let acknowledged = Mutex<Set<String>>([])
    let killed = Mutex(false)
}

/// One event of the changes feed, as the tests compare it.
struct FeedEvent: Equatable, Sendable {
    var sequence: Int
    var type: String
    var subject: String
}

/// A PostgreSQL schema with master data and an admin token, and `stockline serve` processes on it.
///
/// Unchecked: its stored properties never change after `start`, and `Process` and `URLSession` are thread-safe.
final class Deployment: @unchecked Sendable {
    let binary: StocklineBinary
    let url: String
    let token: String
    let ports: [Int]
    let processes: [Process]
    let logs: URL
    let session: URLSession

    private init(
        binary: StocklineBinary, url: String, token: String, ports: [Int], processes: [Process], logs: URL
    ) {
        self.binary = binary
        self.url = url
        self.token = token
        self.ports = ports
        self.processes = processes
        self.logs = logs
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 64
        configuration.timeoutIntervalForRequest = 30
        session = URLSession(configuration: configuration)
    }

    /// A fresh schema on the test server, set up through `stockline post` and `stockline token create`, served by
    /// `instances` processes on free ports of 127.0.0.1, each answering before this returns.
    static func start(instances: Int) async throws -> Deployment {
        let server: String
        do {
            server = try await PostgresCluster.url()
        } catch {
            guard !PostgresCluster.isRequired else { throw error }
            try Test.cancel("PostgreSQL is not available, so the multi-instance test does not run: \(error)")
        }
        let url = server + (server.contains("?") ? "&" : "?") + "schema=" + PostgresCluster.freshSchema(prefix: "mi")
        let binary = try StocklineBinary.locate()
        let setup = try binary.run(
            ["post", "--db", url], input: MultiInstanceTests.masterData.joined(separator: "\n") + "\n")
        guard setup.status == 0 else { throw DeploymentError("master data: \(setup.stdout) \(setup.stderr)") }
        let created = try binary.run(["token", "create", "--role", "admin", "--name", "e2e", "--db", url])
        let token = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard created.status == 0, !token.isEmpty else { throw DeploymentError("token: \(created.stderr)") }

        let logs = try TemporaryLedger.makeDirectory()
        var ports: [Int] = []
        var processes: [Process] = []
        for instance in 0..<instances {
            let port = try freePort()
            let process = Process()
            process.executableURL = binary.url
            process.arguments = ["serve", "--db", url, "--port", "\(port)", "--log-level", "warning"]
            let log = logs.appendingPathComponent("serve-\(instance).log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
            process.standardInput = FileHandle.nullDevice
            try process.run()
            ports.append(port)
            processes.append(process)
        }
        let deployment = Deployment(
            binary: binary, url: url, token: token, ports: ports, processes: processes, logs: logs)
        for instance in 0..<instances { try await deployment.waitUntilServing(instance: instance) }
        return deployment
    }

    /// Polls the feed until the instance answers (20 s at most).
    private func waitUntilServing(instance: Int) async throws {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let (status, _) = try? await get("/v1/events?limit=1", instance: instance), status == 200 { return }
            guard processes[instance].isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let log = (try? String(contentsOf: logs.appendingPathComponent("serve-\(instance).log"), encoding: .utf8)) ?? ""
        throw DeploymentError("instance \(instance) on port \(ports[instance]) did not start serving: \(log)")
    }

    /// `POST /v1/postings` with an idempotency key: the status and the body.
    func post(_ body: String, key: String, instance: Int) async throws -> (Int, String) {
        try await post(body, to: "/v1/postings", key: key, instance: instance)
    }

    /// A `POST` of JSON to `path` with an idempotency key: the status and the body.
    func post(_ body: String, to path: String, key: String, instance: Int) async throws -> (Int, String) {
        var request = try request(path, instance: instance)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(key, forHTTPHeaderField: "Idempotency-Key")
        request.httpBody = Data(body.utf8)
        return try await send(request)
    }

    /// `POST /v1/postings/batch`: the status and the body.
    func postBatch(_ body: String, instance: Int) async throws -> (Int, String) {
        var request = try request("/v1/postings/batch", instance: instance)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(body.utf8)
        return try await send(request)
    }

    func get(_ path: String, instance: Int) async throws -> (Int, String) {
        try await send(try request(path, instance: instance))
    }

    /// The whole changes feed read through one instance, page by page, and the latest sequence it reported.
    func feed(instance: Int) async throws -> ([FeedEvent], Int) {
        var events: [FeedEvent] = []
        var after = 0
        var latest = 0
        while true {
            let (status, text) = try await get("/v1/events?after=\(after)&limit=50", instance: instance)
            guard status == 200,
                let page = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                let batch = page["events"] as? [[String: Any]], let next = page["next"] as? Int
            else { throw DeploymentError("events after \(after) on instance \(instance): \(status) \(text)") }
            latest = max(latest, page["latest"] as? Int ?? 0)
            events += batch.map {
                FeedEvent(
                    sequence: $0["sequence"] as? Int ?? -1, type: $0["type"] as? String ?? "",
                    subject: $0["subject"] as? String ?? "")
            }
            if batch.isEmpty || next <= after { break }
            after = next
        }
        return (events, latest)
    }

    func kill(instance: Int) {
        #if canImport(Glibc)
            _ = Glibc.kill(processes[instance].processIdentifier, SIGKILL)
        #else
            _ = Darwin.kill(processes[instance].processIdentifier, SIGKILL)
        #endif
    }

    func terminate(instance: Int) { processes[instance].terminate() }

    func isRunning(instance: Int) -> Bool { processes[instance].isRunning }

    func wasKilled(instance: Int) -> Bool {
        let process = processes[instance]
        process.waitUntilExit()
        return process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL
    }

    /// Stops the instances still running (SIGTERM) and removes their logs.
    func stop() {
        for process in processes where process.isRunning { process.terminate() }
        for process in processes { process.waitUntilExit() }
        session.invalidateAndCancel()
        try? FileManager.default.removeItem(at: logs)
    }

    private func request(_ path: String, instance: Int) throws -> URLRequest {
        guard let url = URL(string: "http://127.0.0.1:\(ports[instance])\(path)") else {
            throw DeploymentError("bad path \(path)")
        }
        var request = URLRequest(url: url)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        return request
    }

    private func send(_ request: URLRequest) async throws -> (Int, String) {
        let (data, response) = try await session.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? -1
        return (status, String(decoding: data, as: UTF8.self))
    }

    /// A TCP port nobody listens on right now (the kernel's pick for port 0).
    private static func freePort() throws -> Int {
        #if canImport(Glibc)
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw DeploymentError("socket() failed: \(errno)") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else { throw DeploymentError("could not find a free port: \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct DeploymentError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
