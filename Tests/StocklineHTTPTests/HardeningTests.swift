import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Stockline
import StocklineCore
import StocklineHTTP
import StocklineStore
import StocklineTestSupport
import Testing

/// The stores an HTTP test runs on, with the same body.
enum HTTPStore: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }

    func open() async throws -> (any LedgerStore, @Sendable () async -> Void) {
        switch self {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent(
                "stockline-api-\(UUID().uuidString).sqlite"
            ).path
            let store = try SQLiteLedgerStore(path: path)
            try await store.migrate()
            return (store, { try? FileManager.default.removeItem(atPath: path) })
        case .postgres:
            do {
                _ = try await PostgresCluster.url()
            } catch {
                guard !PostgresCluster.isRequired else { throw error }
                try Test.cancel("PostgreSQL is not available, so this PostgreSQL test does not run: \(error)")
            }
            let store = try await PostgresCluster.temporaryStore()
            return (store, { await PostgresCluster.remove(store) })
        }
    }
}

/// What a refusal must leave as it was: the ledger's rows, the feed, and a clean `verify`.
struct LedgerMark: Equatable {
    var counts: StoreCounts
    var lastEvent: Int64

    init(_ inventory: Inventory) async throws {
        counts = try await inventory.store.counts()
        lastEvent = try await inventory.latestEventSequence()
    }
}

/// Refusals the doors must give on bad input, through the HTTP API on both stores; found by adversarial tests.
@Suite("hardened doors")
struct HardeningTests {
    /// A world with one receipt under key `seed1`, served through the real router on `store`.
    static func withWorld(
        _ kind: HTTPStore, bodyLimit: Int = ServerConfiguration.defaultBodyLimit,
        _ body: @Sendable (any TestClientProtocol, Inventory, String) async throws -> Void
    ) async throws {
        let (store, remove) = try await kind.open()
        do {
            let world = try await APIWorld(store: store)
            let app = try buildApplication(
                inventory: world.inventory, configuration: .init(bodyLimit: bodyLimit), logger: Logger(label: "test"))
            try await app.test(.router) { client in
                let (seeded, _) = try await client.send(
                    .post, "/v1/postings",
                    json: (#"{"receive": {"sku": "P1", "qty": 10, "unit_cost": 2, "# + #""at": "WH1"}}"#),
                    key: "seed1", token: world.admin)
                #expect(seeded == 201)
                try await body(client, world.inventory, world.admin)
            }
            await remove()
        } catch {
            await remove()
            throw error
        }
    }

    /// Sends each request, expects its status and code, and that the ledger, the feed and `verify` did not change.
    static func expectRefused(
        _ requests: [(HTTPRequest.Method, String, String?, String?, Int, String)], client: any TestClientProtocol,
        inventory: Inventory, token: String, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let before = try await LedgerMark(inventory)
        for (method, uri, json, key, status, code) in requests {
            let (answer, problem) = try await client.send(method, uri, json: json, key: key, token: token)
            #expect(answer == status, "\(method) \(uri) \(json ?? ""): \(problem)", sourceLocation: sourceLocation)
            #expect(problem["code"] as? String == code, "\(uri): \(problem)", sourceLocation: sourceLocation)
        }
        #expect(try await LedgerMark(inventory) == before, sourceLocation: sourceLocation)
        #expect(try await inventory.verify() == [], sourceLocation: sourceLocation)
    }

    @Test(
        "a control character, a mangled byte or an overlong name is refused wherever a name is stored",
        arguments: HTTPStore.allCases)
    func identifiers(kind: HTTPStore) async throws {
        try await Self.withWorld(kind) { client, inventory, admin in
            let long = String(repeating: "k", count: 201)
            try await Self.expectRefused(
                [
                    (
                        .post, "/v1/postings",
                        (#"{"reserve": {"sku": "P1", "qty": 1, "at": "WH1", "# + #""order": "NULORD\u0000A"}}"#), nil,
                        422, "validation_failed"
                    ),
                    (
                        .post, "/v1/postings",
                        (#"{"reserve": {"sku": "P1", "qty": 1, "at": "WH1", "# + #""order": "ORD\nB"}}"#), nil, 422,
                        "validation_failed"
                    ),
                    (
                        .post, "/v1/postings",
                        (#"{"receive": {"sku": "P1", "qty": 1, "unit_cost": 1, "# + #""at": "WH1", "lot": "L\u00001"}}"#),
                        nil, 422, "validation_failed"
                    ),
                    (
                        .post, "/v1/postings",
                        (#"{"adjust": {"sku": "P1", "qty": 1, "at": "WH1", "# + #""reason": "found\u0007"}}"#), nil,
                        422, "validation_failed"
                    ),
                    (
                        .post, "/v1/postings",
                        (#"{"receive": {"sku": "P1\u0000", "qty": 1, "# + #""unit_cost": 1, "at": "WH1"}}"#), nil, 422,
                        "validation_failed"
                    ),
                    (
                        .post, "/v1/postings",
                        (#"{"receive": {"sku": "P1", "qty": 1, "unit_cost": 1, "# + #""at": "WH1"}}"#), long, 400,
                        "validation_failed"
                    ),
                    (.get, "/v1/postings/seed1%00zz", nil, nil, 422, "validation_failed"),
                    (.get, "/v1/stock?sku=P1%00&at=WH1", nil, nil, 422, "validation_failed"),
                ], client: client, inventory: inventory, token: admin)
            // The batch line with a NUL in its key is refused on its own line; it neither replays nor posts.
            let before = try await LedgerMark(inventory)
            let (status, body) = try await client.send(
                .post, "/v1/postings/batch",
                json: (#"{"atomic": false, "# + #""operations": [{"key": "seed1\u0000zz", "#
                    + #""operation": {"receive": {"sku": "P1", "qty": 1, "# + #""unit_cost": 1, "at": "WH1"}}}]}"#),
                token: admin)
            #expect(status == 200)
            let line = (body["results"] as? [[String: Any]])?.first
            #expect(line?["status"] as? String == "error")
            #expect((line?["problem"] as? [String: Any])?["code"] as? String == "validation_failed")
            #expect(try await LedgerMark(inventory) == before)
            // Keys that differ only in bytes that are not UTF-8 cannot meet as one key: both are refused.
            for bytes: [UInt8] in [[0x6B, 0xE9], [0x6B, 0xE8]] {
                var headers = HTTPFields()
                headers[.authorization] = "Bearer \(admin)"
                headers[.contentType] = "application/json"
                headers.append(HTTPField(name: try #require(HTTPField.Name("Idempotency-Key")), value: bytes))
                let response = try await client.execute(
                    uri: "/v1/postings", method: .post, headers: headers,
                    body: ByteBuffer(
                        string: (#"{"receive": {"sku": "P1", "qty": 1, "unit_cost": 1, "# + #""at": "WH1"}}"#)))
                #expect(response.status.code == 422)
            }
            #expect(try await LedgerMark(inventory) == before)
            // Distinct non-ASCII keys stay distinct.
            for key in ["ключ-1", "ключ-2"] {
                let (posted, result) = try await client.send(
                    .post, "/v1/postings",
                    json: (#"{"receive": {"sku": "P1", "qty": 1, "unit_cost": 1, "# + #""at": "WH1"}}"#),
                    key: key, token: admin)
                #expect(posted == 201)
                #expect(result["key"] as? String == key)
            }
            #expect(try await inventory.store.counts().postings == before.counts.postings + 2)
        }
    }

    @Test(
        "the document's limits hold: batch and list sizes, paging, and the body limit",
        arguments: HTTPStore.allCases)
    func limits(kind: HTTPStore) async throws {
        try await Self.withWorld(kind, bodyLimit: 256 * 1024) { client, inventory, admin in
            let line = (#"{"operation": {"receive": {"sku": "P1", "qty": 1, "# + #""unit_cost": 1, "at": "WH1"}}}"#)
            let batch = { (count: Int) in
                #"{"atomic": false, "operations": ["# + Array(repeating: line, count: count).joined(separator: ",")
                    + "]}"
            }
            let item = #"{"sku": "B", "uom": "unit"}"#
            let items = { (count: Int) in "[" + Array(repeating: item, count: count).joined(separator: ",") + "]" }
            try await Self.expectRefused(
                [
                    (.post, "/v1/postings/batch", batch(1_001), nil, 400, "validation_failed"),
                    (.post, "/v1/postings/batch", batch(0), nil, 400, "validation_failed"),
                    (.post, "/v1/items/bulk", items(0), nil, 400, "validation_failed"),
                    (.post, "/v1/items/bulk", items(1_001), nil, 400, "validation_failed"),
                    (.get, "/v1/events?limit=0", nil, nil, 400, "validation_failed"),
                    (.get, "/v1/events?limit=-1", nil, nil, 400, "validation_failed"),
                    (.get, "/v1/events?limit=1001", nil, nil, 400, "validation_failed"),
                    (.get, "/v1/events?after=-1", nil, nil, 400, "validation_failed"),
                    (.get, "/v1/items?limit=0", nil, nil, 400, "validation_failed"),
                    (
                        .post, "/v1/postings",
                        "{\"receive\": {\"sku\": \"P1\", \"qty\": 1, \"at\": \"WH1\", \"x\": \""
                            + String(repeating: "a", count: 300 * 1024) + "\"}}", nil, 413, "payload_too_large"
                    ),
                ], client: client, inventory: inventory, token: admin)
            let (full, _) = try await client.send(.post, "/v1/postings/batch", json: batch(1_000), token: admin)
            #expect(full == 200)
        }
    }

    @Test("a batch beyond the limit is refused by the service too, for every door", arguments: HTTPStore.allCases)
    func serviceBatchLimit(kind: HTTPStore) async throws {
        try await Self.withWorld(kind) { _, inventory, _ in
            let before = try await LedgerMark(inventory)
            let requests = (0...Inventory.maximumBatch).map { index in
                PostingRequest(
                    key: "big-\(index)", operation: .receive(.init(sku: "P1", qty: Fixed(1), at: "WH1")), actor: "t",
                    source: "t", now: Date())
            }
            await #expect(throws: StockError.self) { _ = try await inventory.postBatch(requests) }
            await #expect(throws: StockError.self) { _ = try await inventory.postAtomically(requests) }
            #expect(try await LedgerMark(inventory) == before)
        }
    }

    @Test(
        "malformed JSON, another encoding or media type, unknown routes and methods get problem documents",
        arguments: HTTPStore.allCases)
    func strictParsing(kind: HTTPStore) async throws {
        try await Self.withWorld(kind) { client, inventory, admin in
            try await Self.expectRefused(
                [
                    (
                        .post, "/v1/postings",
                        (#"{"receive": {"sku": "P1", "qty": 1, "unit_cost": 1, "# + #""at": "WH1",}}"#), nil, 400,
                        "validation_failed"
                    ),
                    (
                        .post, "/v1/postings",
                        (#"{"receive": {"sku": "P1", "qty": 1, "unit_cost": 1, "# + #""at": "WH1"}} x"#), nil, 400,
                        "validation_failed"
                    ),
                    (
                        .post, "/v1/postings",
                        (#"{"receive": {"sku": "P1", "sku": "P2", "qty": 1, "# + #""at": "WH1"}}"#), nil, 400,
                        "validation_failed"
                    ),
                    (.get, "/v1/nothing-here", nil, nil, 404, "not_found"),
                    (.delete, "/v1/companies", nil, nil, 405, "method_not_allowed"),
                ], client: client, inventory: inventory, token: admin)
            let before = try await LedgerMark(inventory)
            let receipt = (#"{"receive": {"sku": "P1", "qty": 1, "unit_cost": 1, "# + #""at": "WH1"}}"#)
            var utf16 = ByteBuffer()
            utf16.writeBytes(Array(receipt.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
            for (contentType, body, status) in [
                ("application/json", utf16, 415), ("text/plain", ByteBuffer(string: receipt), 415),
                ("application/json; charset=utf-16", ByteBuffer(string: receipt), 415),
                (nil, ByteBuffer(string: receipt), 415),
            ] as [(String?, ByteBuffer, Int)] {
                var headers = HTTPFields()
                headers[.authorization] = "Bearer \(admin)"
                if let contentType { headers[.contentType] = contentType }
                let response = try await client.execute(
                    uri: "/v1/postings", method: .post, headers: headers, body: body)
                #expect(response.status.code == status, "\(contentType ?? "no content type")")
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            var headers = HTTPFields()
            headers[.authorization] = "Bearer \(admin)"
            let wrong = try await client.execute(uri: "/v1/postings", method: .put, headers: headers)
            #expect(wrong.status.code == 405)
            #expect(wrong.headers[.allow] == "POST")
            #expect(try await LedgerMark(inventory) == before)
        }
    }

    @Test(
        "Idempotency-Key holds on master data, and a refused key cannot later post another operation",
        arguments: HTTPStore.allCases)
    func idempotentWrites(kind: HTTPStore) async throws {
        try await Self.withWorld(kind) { client, inventory, admin in
            let (first, created) = try await client.send(
                .post, "/v1/items", json: #"{"sku": "N1", "uom": "unit"}"#, key: "item-key", token: admin)
            let (again, replayed) = try await client.send(
                .post, "/v1/items", json: #"{"sku": "N1", "uom": "unit"}"#, key: "item-key", token: admin)
            #expect(first == 201)
            #expect(again == 201)
            #expect(created["sku"] as? String == replayed["sku"] as? String)
            try await Self.expectRefused(
                [
                    (.post, "/v1/items", #"{"sku": "N2", "uom": "unit"}"#, "item-key", 422, "idempotency_key_reused"),
                    (.post, "/v1/companies", #"{"code": "OTHER"}"#, "item-key", 422, "idempotency_key_reused"),
                    (
                        .post, "/v1/postings", #"{"deliver": {"sku": "P1", "qty": 50, "from": "WH1"}}"#, "refused-key",
                        409, "insufficient_stock"
                    ),
                    (
                        .post, "/v1/postings",
                        (#"{"receive": {"sku": "P1", "qty": 1, "unit_cost": 1, "# + #""at": "WH1"}}"#), "refused-key",
                        422, "idempotency_key_reused"
                    ),
                ], client: client, inventory: inventory, token: admin)
            #expect(try await inventory.item(sku: "N2") == nil)
            // The refused operation itself may be sent again: once stock is there it posts.
            try await client.send(
                .post, "/v1/postings",
                json: (#"{"receive": {"sku": "P1", "qty": 40, "unit_cost": 1, "# + #""at": "WH1"}}"#),
                token: admin)
            let (retried, _) = try await client.send(
                .post, "/v1/postings", json: #"{"deliver": {"sku": "P1", "qty": 50, "from": "WH1"}}"#,
                key: "refused-key", token: admin)
            #expect(retried == 201)
        }
    }

    @Test(
        "a webhook subscription with empty filters, a negative start or a bad URL is refused",
        arguments: HTTPStore.allCases)
    func webhookInput(kind: HTTPStore) async throws {
        try await Self.withWorld(kind) { client, inventory, admin in
            let long = "http://example.test/" + String(repeating: "a", count: 2_000)
            try await Self.expectRefused(
                [
                    (
                        .post, "/v1/webhooks", #"{"url": "http://127.0.0.1:9/h", "event_types": []}"#, nil, 422,
                        "validation_failed"
                    ),
                    (
                        .post, "/v1/webhooks", #"{"url": "http://127.0.0.1:9/h", "event_types": [""]}"#, nil, 400,
                        "validation_failed"
                    ),
                    (
                        .post, "/v1/webhooks", #"{"url": "http://127.0.0.1:9/h", "warehouses": []}"#, nil, 422,
                        "validation_failed"
                    ),
                    (
                        .post, "/v1/webhooks", #"{"url": "http://127.0.0.1:9/h", "after": -1}"#, nil, 400,
                        "validation_failed"
                    ),
                    (.post, "/v1/webhooks", #"{"url": "http://127.0.0.1:9/h\u0000x"}"#, nil, 422, "validation_failed"),
                    (.post, "/v1/webhooks", #"{"url": "http://127.0.0.1:9/h x"}"#, nil, 422, "validation_failed"),
                    (.post, "/v1/webhooks", "{\"url\": \"\(long)\"}", nil, 422, "validation_failed"),
                ], client: client, inventory: inventory, token: admin)
            #expect(try await inventory.store.webhooks().isEmpty)
        }
    }
}

#if canImport(Glibc)
    import Glibc

    @Suite("hardened doors: the HTTP parser")
    struct ParserProblemTests {
        /// Sends raw bytes to a port on this machine and reads until the server closes.
        static func exchange(_ request: [UInt8], port: Int) throws -> String {
            let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(socket) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            try #require(connected == 0)
            _ = request.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, 0) }
            var answer: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { break }
                answer += buffer[0..<count]
            }
            return String(decoding: answer, as: UTF8.self)
        }

        @Test(
            "a control character in a header is answered with a problem document, and the server keeps serving",
            arguments: HTTPStore.allCases)
        func controlCharacterInHeader(kind: HTTPStore) async throws {
            let (store, remove) = try await kind.open()
            let world = try await APIWorld(store: store)
            let app = try buildApplication(
                inventory: world.inventory, configuration: .init(port: 0), logger: Logger(label: "test"))
            try await app.test(.live) { client in
                let port = try #require(client.port)
                let before = try await LedgerMark(world.inventory)
                let answer = try Self.exchange(
                    Array("POST /v1/postings HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(world.admin)\r\n".utf8)
                        + Array("Idempotency-Key: a".utf8) + [0x01] + Array("b\r\nContent-Length: 2\r\n\r\n{}".utf8),
                    port: port)
                #expect(answer.hasPrefix("HTTP/1.1 400"))
                #expect(answer.contains("application/problem+json"))
                #expect(answer.contains(#""code":"bad_request""#))
                #expect(try await LedgerMark(world.inventory) == before)
                let health = try await client.execute(uri: "/healthz", method: .get)
                #expect(health.status == .ok)
            }
            await remove()
        }
    }
#endif
