import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Stockline
import StocklineCore
import StocklineHTTP

#if canImport(Glibc)
    import Glibc
#endif

/// `http.post`: single postings through the HTTP API (`POST /v1/postings`) of the server started in this process on
/// a free loopback port, driven by ``BenchSizes/callers`` concurrent connections. The server logs at `warning`, not
/// `stockline serve`'s default `info` (a log line per request).
enum HTTPPostSuite {
    static func run(_ context: BenchContext) async throws -> [BenchResult] {
        let sizes = context.sizes
        return try await context.store.withLedger { ledger in
            let inventory = ledger.inventory
            let world = try await BenchWorld.build(in: inventory, items: sizes.items, warehouses: sizes.warehouses)
            let (_, secret) = try await Tokens.create(in: inventory, role: .integration, warehouse: nil, name: "bench")
            let port = try freePort()
            var logger = Logger(label: "stockline-bench")
            logger.logLevel = .critical  // stopping the server logs cancellations as errors
            let app = try buildApplication(
                inventory: inventory,
                configuration: ServerConfiguration(host: "127.0.0.1", port: port, webhooks: nil), logger: logger)
            var configuration = HTTPClient.Configuration()
            configuration.connectionPool = .init(
                idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: sizes.callers)
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            let base = "http://127.0.0.1:\(port)"
            do {
                let result = try await withThrowingTaskGroup(of: BenchResult?.self) { group in
                    group.addTask {
                        try await app.runService()
                        return nil
                    }
                    try await waitUntilReady(client, base: base)
                    let result = try await load(
                        client, base: base, secret: secret, world: world, sizes: sizes)
                    group.cancelAll()
                    return result
                }
                try await client.shutdown()
                return [result]
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
    }

    static func load(
        _ client: HTTPClient, base: String, secret: String, world: BenchWorld, sizes: BenchSizes
    ) async throws -> BenchResult {
        let callers = sizes.callers
        let perCaller = max(2, sizes.httpPostings / callers / 2 * 2)
        let (elapsed, latency) = try await concurrently(callers: callers) { index in
            var caller = SingleCaller(index: index, of: callers, world: world, prefix: "http")
            var recorder = LatencyRecorder()
            for _ in 0..<perCaller {
                let (key, operation) = caller.next()
                var request = HTTPClientRequest(url: base + "/v1/postings")
                request.method = .POST
                request.headers.add(name: "Authorization", value: "Bearer \(secret)")
                request.headers.add(name: "Content-Type", value: "application/json")
                request.headers.add(name: "Idempotency-Key", value: key)
                request.body = .bytes(ByteBuffer(bytes: try Self.body(operation)))
                let begun = ContinuousClock.now
                let response = try await client.execute(request, timeout: .seconds(60))
                let text = try await response.body.collect(upTo: 1 << 20)
                recorder.record(ContinuousClock.now - begun)
                guard response.status.code == 201 else {
                    throw BenchFailure(
                        suite: "http.post",
                        reason: "HTTP \(response.status.code): \(String(buffer: text))")
                }
            }
            return recorder
        }
        let total = perCaller * callers
        return BenchResult(
            name: "http.post", value: Double(total) / elapsed.seconds, unit: "postings/s", latency: latency,
            note: "\(total.formatted()) POST /v1/postings over \(callers) concurrent connections, in-process server")
    }

    /// `{"receive": {...}}` as the API takes it.
    static func body(_ operation: StockOperation) throws -> Data {
        let fields: [String: String]
        switch operation {
        case .receive(let receive):
            fields = [
                "sku": receive.sku, "qty": "\(receive.qty)", "at": receive.at,
                "unit_cost": "\(receive.unitCost ?? .zero)",
            ]
        case .deliver(let deliver):
            fields = ["sku": deliver.sku, "qty": "\(deliver.qty)", "from": deliver.from]
        default:
            throw BenchFailure(suite: "http.post", reason: "only receipts and deliveries are posted")
        }
        let numeric: Set<String> = ["qty", "unit_cost"]
        let members = fields.keys.sorted().map { name in
            let value = fields[name] ?? ""
            return "\"\(name)\":" + (numeric.contains(name) ? value : "\"\(value)\"")
        }
        return Data("{\"\(operation.kind.rawValue)\":{\(members.joined(separator: ","))}}".utf8)
    }

    /// Polls `/healthz` until the server answers (at most ten seconds).
    static func waitUntilReady(_ client: HTTPClient, base: String) async throws {
        for _ in 0..<200 {
            if let response = try? await client.execute(
                HTTPClientRequest(url: base + "/healthz"), timeout: .seconds(1)),
                response.status.code == 200
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchFailure(suite: "http.post", reason: "the server did not answer on \(base)/healthz")
    }

    /// A TCP port nobody listens on right now (the kernel's pick for port 0).
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw BenchFailure(suite: "http.post", reason: "socket() failed: \(errno)") }
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
        guard bound else { throw BenchFailure(suite: "http.post", reason: "no free port: \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
