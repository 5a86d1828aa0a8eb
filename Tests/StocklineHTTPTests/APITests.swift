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
import Testing

/// A fresh ledger with one warehouse and one item, served through the real router.
struct APIWorld {
    let inventory: Inventory
    let admin: String

    /// On SQLite, or on a fresh schema of the test PostgreSQL server when `STOCKLINE_TEST_STORE=postgres`.
    init() async throws {
        let kind: HTTPStore =
            ProcessInfo.processInfo.environment["STOCKLINE_TEST_STORE"] == "postgres" ? .postgres : .sqlite
        try await self.init(store: try await kind.open().0)
    }

    /// The same world on a store the caller opened.
    init(store: any LedgerStore) async throws {
        inventory = Inventory(store: store)
        try await inventory.addCompany(code: "ACME")
        try await inventory.addWarehouse(code: "WH1")
        try await inventory.addWarehouse(code: "WH2")
        try await inventory.addItem(
            Item(
                id: ItemID(0), sku: "P1",
                unit: UnitOfMeasure.builtIn["unit"]
                    ?? .init(name: "unit", category: .unit, factor: Fixed(1), precision: Fixed(1))))
        admin = try await Tokens.create(in: inventory, role: .admin, warehouse: nil, name: "test-admin").1
    }

    func test(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = try buildApplication(inventory: inventory, configuration: .init(), logger: Logger(label: "test"))
        try await app.test(.router, body)
    }
}

extension TestClientProtocol {
    @discardableResult
    func send(
        _ method: HTTPRequest.Method, _ uri: String, json: String? = nil, key: String? = nil,
        token: String?, headers extra: [String: String] = [:]
    ) async throws -> (Int, [String: Any]) {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        headers[.contentType] = "application/json"
        headers[.accept] = "application/json, application/problem+json"
        if let key { headers[try #require(HTTPField.Name("Idempotency-Key"))] = key }
        for (name, value) in extra { headers[try #require(HTTPField.Name(name))] = value }
        let response = try await execute(
            uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
        let text = String(buffer: response.body)
        let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? ["raw": text]
        return (Int(response.status.code), object)
    }
}

@Suite("HTTP API")
struct APITests {
    @Test("a replayed key answers the same and posts once; the same key with another body is refused with 422")
    func idempotentPosting() async throws {
        let world = try await APIWorld()
        let admin = world.admin
        try await world.test { client in
            let receipt = #"{"receive": {"sku": "P1", "qty": 10, "unit_cost": 4, "at": "WH1"}}"#
            let (first, body) = try await client.send(.post, "/v1/postings", json: receipt, key: "r-1", token: admin)
            let (again, replay) = try await client.send(.post, "/v1/postings", json: receipt, key: "r-1", token: admin)
            #expect(first == 201)
            #expect(again == 201)
            #expect(body["posting"] as? Int == replay["posting"] as? Int)
            let (reused, problem) = try await client.send(
                .post, "/v1/postings", json: #"{"receive": {"sku": "P1", "qty": 11, "at": "WH1"}}"#, key: "r-1",
                token: admin)
            #expect(reused == 422)
            #expect(problem["code"] as? String == "idempotency_key_reused")
        }
        #expect(try await world.inventory.store.counts().postings == 1)
        #expect(try await world.inventory.position(sku: "P1", at: "WH1").onHand == Fixed(10))
    }

    @Test(
        "a posting answers its exact figures and its key as sent; an Accept it cannot meet is refused, posting nothing")
    func postingAnswer() async throws {
        let world = try await APIWorld()
        let admin = world.admin
        try await world.test { client in
            let receipt = #"{"receive": {"sku": "P1", "qty": 3, "unit_cost": 2.25, "at": "WH1"}}"#
            let (refused, problem) = try await client.send(
                .post, "/v1/postings", json: receipt, key: "r-0", token: admin, headers: ["Accept": "text/html"])
            #expect(refused == 400 && problem["code"] as? String == "validation_failed")
            let (status, body) = try await client.send(
                .post, "/v1/postings", json: receipt, key: #"r%201/"x""#, token: admin)
            #expect(status == 201)
            #expect(body["key"] as? String == #"r 1/"x""#, "the key is read percent-decoded and answered escaped")
            #expect(body["kind"] as? String == "receive")
            #expect(body["quantity"] as? Double == 3)
            #expect(body["value"] as? Double == 6.75)
            #expect((body["moves"] as? [Int])?.count == 1)
            let (again, replay) = try await client.send(
                .post, "/v1/postings", json: receipt, key: #"r 1/"x""#, token: admin,
                headers: ["Accept": "application/*"])
            #expect(again == 201 && replay["posting"] as? Int == body["posting"] as? Int)
        }
        #expect(try await world.inventory.position(sku: "P1", at: "WH1").onHand == Fixed(3))
    }

    @Test("a refusal is a problem document with the scenario spec's code and changes nothing")
    func refusalIsProblemDocument() async throws {
        let world = try await APIWorld()
        let admin = world.admin
        try await world.test { client in
            let (status, problem) = try await client.send(
                .post, "/v1/postings", json: #"{"deliver": {"sku": "P1", "qty": 1, "from": "WH1"}}"#, token: admin)
            #expect(status == 409)
            #expect(problem["code"] as? String == "insufficient_stock")
            #expect((problem["detail"] as? String)?.contains("0 available") == true)
            let (unknown, missing) = try await client.send(
                .post, "/v1/postings", json: #"{"deliver": {"sku": "NOPE", "qty": 1, "from": "WH1"}}"#, token: admin)
            #expect(unknown == 422)
            #expect(missing["code"] as? String == "unknown_item")
            let (malformed, invalid) = try await client.send(
                .post, "/v1/postings", json: #"{"deliver": {"sku": "P1"}"#, token: admin)
            #expect(malformed == 400)
            #expect(invalid["code"] as? String == "validation_failed")
        }
        #expect(try await world.inventory.store.counts().postings == 0)
    }

    @Test("setting an absolute level against a stale quantity answers 409 with the current value and changes nothing")
    func compareAndSet() async throws {
        let world = try await APIWorld()
        let admin = world.admin
        try await world.test { client in
            try await client.send(
                .post, "/v1/postings", json: #"{"receive": {"sku": "P1", "qty": 10, "unit_cost": 1, "at": "WH1"}}"#,
                token: admin)
            let (stale, problem) = try await client.send(
                .post, "/v1/postings", json: #"{"count": {"sku": "P1", "at": "WH1", "counted": 4, "expected": 9}}"#,
                token: admin)
            #expect(stale == 409)
            #expect(problem["code"] as? String == "conflict")
            #expect(problem["current"] as? Double == 10)
            let (fresh, _) = try await client.send(
                .post, "/v1/postings", json: #"{"count": {"sku": "P1", "at": "WH1", "counted": 4, "expected": 10}}"#,
                token: admin)
            #expect(fresh == 201)
        }
        #expect(try await world.inventory.position(sku: "P1", at: "WH1").onHand == Fixed(4))
    }

    @Test("an atomic batch with one bad line changes nothing; a non-atomic one posts the good lines")
    func batches() async throws {
        let world = try await APIWorld()
        let lines = #"""
            {"atomic": ATOMIC, "operations": [
              {"operation": {"receive": {"sku": "P1", "qty": 5, "unit_cost": 2, "at": "WH1"}}},
              {"operation": {"deliver": {"sku": "P1", "qty": 50, "from": "WH1"}}},
              {"operation": {"receive": {"sku": "P1", "qty": 1, "unit_cost": 2, "at": "WH1"}}}]}
            """#
        let admin = world.admin
        try await world.test { client in
            let (status, body) = try await client.send(
                .post, "/v1/postings/batch", json: lines.replacingOccurrences(of: "ATOMIC", with: "true"), key: "b1",
                token: admin)
            #expect(status == 200)
            #expect(body["applied"] as? Bool == false)
            let results = body["results"] as? [[String: Any]] ?? []
            #expect(results.map { $0["status"] as? String } == ["not_applied", "error", "not_applied"])
        }
        #expect(try await world.inventory.store.counts().postings == 0)
        try await world.test { client in
            let (_, body) = try await client.send(
                .post, "/v1/postings/batch", json: lines.replacingOccurrences(of: "ATOMIC", with: "false"), key: "b2",
                token: admin)
            let results = body["results"] as? [[String: Any]] ?? []
            #expect(results.map { $0["status"] as? String } == ["ok", "error", "ok"])
        }
        #expect(try await world.inventory.position(sku: "P1", at: "WH1").onHand == Fixed(6))
    }

    @Test("stock positions and the changes feed read what was posted")
    func readsAndFeed() async throws {
        let world = try await APIWorld()
        let admin = world.admin
        try await world.test { client in
            try await client.send(
                .post, "/v1/postings", json: #"{"receive": {"sku": "P1", "qty": 3, "unit_cost": 5, "at": "WH1"}}"#,
                token: admin)
            let response = try await client.execute(
                uri: "/v1/stock?sku=P1&at=WH1", method: .get, headers: [.authorization: "Bearer \(admin)"])
            let positions =
                try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [[String: Any]]
            #expect(positions?.first?["on_hand"] as? Double == 3)
            #expect(positions?.first?["value"] as? Double == 15)
            let (_, page) = try await client.send(.get, "/v1/events?after=0&types=posting.receive", token: admin)
            let events = page["events"] as? [[String: Any]] ?? []
            #expect(events.count == 1)
            #expect((page["next"] as? Int ?? 0) >= events.first?["sequence"] as? Int ?? 1)
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            let exposition = String(buffer: metrics.body)
            #expect(exposition.contains(#"stockline_http_requests_total{operation="post",status="201"} 1"#))
            #expect(exposition.contains(#"stockline_postings_total{kind="receive",outcome="posted"} 1"#))
            let spec = try await client.execute(uri: "/openapi.yaml", method: .get)
            let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("Sources/StocklineAPI/openapi.yaml")
            #expect(
                String(buffer: spec.body) == (try String(contentsOf: source, encoding: .utf8)),
                "Sources/StocklineHTTP/Resources/openapi.yaml must be a copy of Sources/StocklineAPI/openapi.yaml")
        }
    }

    @Test("a write without a token is 401; a warehouse operator of WH1 cannot post in WH2; an auditor cannot post")
    func access() async throws {
        let world = try await APIWorld()
        let operatorToken = try await Tokens.create(
            in: world.inventory, role: .warehouseOperator, warehouse: "WH1", name: "op-wh1"
        ).1
        let auditor = try await Tokens.create(in: world.inventory, role: .auditor, warehouse: nil, name: "auditor").1
        let receipt: @Sendable (String) -> String = { at in
            #"{"receive": {"sku": "P1", "qty": 1, "unit_cost": 1, "at": "AT"}}"#.replacingOccurrences(
                of: "AT", with: at)
        }
        try await world.test { client in
            let (anonymous, problem) = try await client.send(.post, "/v1/postings", json: receipt("WH1"), token: nil)
            #expect(anonymous == 401)
            #expect(problem["code"] as? String == "unauthorized")
            let (forged, _) = try await client.send(.post, "/v1/postings", json: receipt("WH1"), token: "stk_forged")
            #expect(forged == 401)
            let (elsewhere, scoped) = try await client.send(
                .post, "/v1/postings", json: receipt("WH2"), token: operatorToken)
            #expect(elsewhere == 403)
            #expect(scoped["code"] as? String == "forbidden")
            let (home, _) = try await client.send(.post, "/v1/postings", json: receipt("WH1"), token: operatorToken)
            #expect(home == 201)
            let (readOnly, _) = try await client.send(.post, "/v1/postings", json: receipt("WH1"), token: auditor)
            #expect(readOnly == 403)
            let (reads, _) = try await client.send(.get, "/v1/events", token: auditor)
            #expect(reads == 200)
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
        }
        #expect(try await world.inventory.position(sku: "P1", at: "WH1").onHand == Fixed(1))
        #expect(try await world.inventory.position(sku: "P1", at: "WH2").onHand == Fixed(0))
        let audit = try await world.inventory.store.audit(AuditFilter(sku: "P1"))
        #expect(audit.map(\.token) == ["op-wh1"])
        #expect(audit.first?.requestID?.isEmpty == false)
    }

    @Test("finance reads the journal and valuation and sets accounts; a warehouse operator may do neither")
    func accounting() async throws {
        let world = try await APIWorld()
        let finance = try await Tokens.create(in: world.inventory, role: .finance, warehouse: nil, name: "fin").1
        let operatorToken = try await Tokens.create(
            in: world.inventory, role: .warehouseOperator, warehouse: nil, name: "op"
        ).1
        try await world.inventory.post(
            .receive(.init(sku: "P1", qty: Fixed(4), at: "WH1", unitCost: Fixed(5))), key: "r1")
        try await world.test { client in
            let (denied, problem) = try await client.send(.get, "/v1/journal", token: operatorToken)
            #expect(denied == 403)
            #expect(problem["code"] as? String == "forbidden")
            let (setDenied, _) = try await client.send(
                .put, "/v1/accounts", json: #"{"company": "ACME", "role": "stock_valuation", "account": "13000"}"#,
                token: operatorToken)
            #expect(setDenied == 403)
            let (set, mapping) = try await client.send(
                .put, "/v1/accounts", json: #"{"company": "ACME", "role": "stock_valuation", "account": "13000"}"#,
                key: "acct-1", token: finance)
            #expect(set == 200)
            #expect(mapping["account"] as? String == "13000")
            let (read, page) = try await client.send(.get, "/v1/journal", token: finance)
            #expect(read == 200)
            let lines = page["lines"] as? [[String: Any]] ?? []
            #expect(lines.count == 2)
            #expect(
                lines.contains {
                    $0["account"] as? String == "13000" && $0["debit"] as? Double == 20
                        && $0["posting"] as? String == "r1"
                })
            let (valued, valuation) = try await client.send(.get, "/v1/valuation", token: finance)
            #expect(valued == 200)
            let items = valuation["lines"] as? [[String: Any]] ?? []
            #expect(items.contains { $0["warehouse"] as? String == "WH1" && $0["value"] as? Double == 20 })
            let (before, empty) = try await client.send(
                .get, "/v1/valuation?at=2000-01-01T00:00:00Z", token: finance)
            #expect(before == 200)
            #expect((empty["lines"] as? [Any])?.isEmpty == true)
            let (unknown, _) = try await client.send(
                .put, "/v1/accounts", json: #"{"company": "NOPE", "role": "scrap", "account": "1"}"#, token: finance)
            #expect((400..<500).contains(unknown))
        }
    }

    @Test("an item update with a stale If-Match answers 412 and changes nothing; with the current ETag it applies")
    func ifMatch() async throws {
        let world = try await APIWorld()
        let admin = world.admin
        try await world.test { client in
            let read = try await client.execute(
                uri: "/v1/items/P1", method: .get, headers: [.authorization: "Bearer \(admin)"])
            let etag = try #require(read.headers[.eTag])
            func update(_ match: String, _ name: String) async throws -> TestResponse {
                try await client.execute(
                    uri: "/v1/items/P1", method: .put,
                    headers: [.authorization: "Bearer \(admin)", .contentType: "application/json", .ifMatch: match],
                    body: ByteBuffer(string: #"{"name": "NAME"}"#.replacingOccurrences(of: "NAME", with: name)))
            }
            let first = try await update(etag, "Brake pad set")
            #expect(first.status == .ok)
            #expect(first.headers[.eTag] != etag)
            let stale = try await update(etag, "Someone else's name")
            #expect(stale.status.code == 412)
            #expect(String(buffer: stale.body).contains("\"code\":\"conflict\""))
            let unit = try await client.execute(
                uri: "/v1/items/P1", method: .put,
                headers: [.authorization: "Bearer \(admin)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"lifecycle": "phase_out", "gtin": "123"}"#))
            #expect(unit.status.code == 422)
        }
        let item = try await world.inventory.item(sku: "P1")
        #expect(item?.name == "Brake pad set")
        #expect(item?.lifecycle == .active)
    }

    @Test("numbers too large for the ledger are refused, never crash the server")
    func hugeNumbers() async throws {
        let world = try await APIWorld()
        let admin = world.admin
        try await world.test { client in
            let (item, itemProblem) = try await client.send(
                .post, "/v1/items", json: #"{"sku": "BIG", "uom": "unit", "volume": 9.535815890034945e+207}"#,
                token: admin)
            #expect(item == 422)
            #expect(itemProblem["code"] as? String == "validation_failed")
            let (quantity, quantityProblem) = try await client.send(
                .post, "/v1/postings",
                json: #"{"receive": {"sku": "P1", "qty": 99999999999, "unit_cost": 1, "at": "WH1"}}"#,
                token: admin)
            #expect(quantity == 422)
            #expect(quantityProblem["code"] as? String == "invalid_quantity")
            let (value, valueProblem) = try await client.send(
                .post, "/v1/postings",
                json: #"{"receive": {"sku": "P1", "qty": 999999999, "unit_cost": 999999999, "at": "WH1"}}"#,
                token: admin)
            #expect(value == 422)
            #expect(valueProblem["code"] as? String == "validation_failed")
            let (control, controlProblem) = try await client.send(
                .post, "/v1/warehouses", json: #"{"code": "W\u0000X", "company": "ACME"}"#, token: admin)
            #expect(control == 422)
            #expect(controlProblem["code"] as? String == "validation_failed")
            let (health, _) = try await client.send(.get, "/v1/events", token: admin)
            #expect(health == 200)
        }
        #expect(try await world.inventory.store.counts().postings == 0)
    }
}
