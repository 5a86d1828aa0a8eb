import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Stockline
import StocklineCore
import StocklineHTTP
import Testing

@Suite("the handheld scanner's endpoints")
struct ScannerAPITests {
    @Test("the catalogue and actions need the session and its token; an action posts once under its key, in scope")
    func actions() async throws {
        let world = try await APIWorld()
        let inventory = world.inventory
        try await inventory.post(.receive(.init(sku: "P1", qty: Fixed(10), at: "WH1", unitCost: Fixed(4))))
        try await inventory.createUser(
            name: "sam", password: "sam-password-1", role: .warehouseOperator, warehouse: "WH1")
        let (secret, session) = try #require(try await inventory.signIn(name: "sam", password: "sam-password-1"))
        let cookie = ["Cookie": "stockline_session=\(secret)"]
        let signed = cookie.merging(["X-CSRF-Token": session.csrf]) { _, new in new }
        try await world.test { client in
            let (anonymous, out) = try await client.send(.get, "/scan/api/catalog", token: nil)
            #expect(anonymous == 401)
            let (late, _) = try await client.send(
                .post, "/scan/api/actions", json: #"{"key": "k-0", "kind": "pick", "order": "SO-1"}"#, token: nil)
            #expect(late == 401, "an action without a session is refused")
            #expect(out["status"] as? String == "signed_out")
            let (read, catalog) = try await client.send(
                .get, "/scan/api/catalog?warehouse=WH2", token: nil, headers: cookie)
            #expect(read == 200)
            #expect(catalog["warehouse"] as? String == "WH1", "a user bound to WH1 gets WH1")
            #expect(catalog["blindCounts"] as? Bool == true)
            #expect(catalog["csrf"] as? String == session.csrf)
            let items = try #require(catalog["items"] as? [[String: Any]])
            let stock = try #require((items.first { $0["sku"] as? String == "P1" })?["stock"] as? [[String: Any]])
            #expect(stock.first?["location"] as? String == "WH1/STOCK" && stock.first?["qty"] as? String == "10")

            let count = #"{"key": "count-1", "kind": "count", "sku": "P1", "at": "WH1", "qty": "8"}"#
            let (stale, refused) = try await client.send(
                .post, "/scan/api/actions", json: count, token: nil, headers: cookie)
            #expect(stale == 403 && refused["code"] as? String == "csrf", "without the session's token: refused")
            let (outside, forbidden) = try await client.send(
                .post, "/scan/api/actions",
                json: #"{"key": "t-1", "kind": "transfer", "sku": "P1", "qty": "1", "from": "WH1", "to": "WH2"}"#,
                token: nil, headers: signed)
            #expect(outside == 403 && forbidden["code"] as? String == "forbidden")
            let (posted, first) = try await client.send(
                .post, "/scan/api/actions", json: count, token: nil, headers: signed)
            #expect(posted == 200 && first["status"] as? String == "posted")
            let (again, second) = try await client.send(
                .post, "/scan/api/actions", json: count, token: nil, headers: signed)
            #expect(
                again == 200 && second["posting"] as? Int == first["posting"] as? Int, "the same key: the same posting")

            let putaway =
                #"{"key": "p-1", "kind": "putaway", "sku": "P1", "qty": "9", "from": "WH1/STOCK", "to": "WH1/INPUT"}"#
            let (short, gone) = try await client.send(
                .post, "/scan/api/actions", json: putaway, token: nil, headers: signed)
            #expect(short == 409 && gone["code"] as? String == "insufficient_stock")
            try await inventory.post(.receive(.init(sku: "P1", qty: Fixed(1), at: "WH1", unitCost: Fixed(4))))
            let (retried, moved) = try await client.send(
                .post, "/scan/api/actions", json: putaway, token: nil, headers: signed)
            #expect(retried == 200 && moved["status"] as? String == "posted", "a refused key may be sent again")

            let (odd, malformed) = try await client.send(
                .post, "/scan/api/actions", json: #"{"key": "x-1", "kind": "juggle"}"#, token: nil, headers: signed)
            #expect(odd == 422 && malformed["code"] as? String == "validation_failed")
        }
        #expect(try await inventory.position(sku: "P1", at: "WH1/STOCK").onHand == .zero)
        #expect(try await inventory.position(sku: "P1", at: "WH1/INPUT").onHand == Fixed(9))
        #expect(try await inventory.position(sku: "P1", at: "WH2").onHand == .zero)
        let trail = try await inventory.audit(AuditFilter(limit: 10)).filter { $0.actor == "sam" }
        #expect(trail.count == 2 && trail.allSatisfy { $0.source == "scanner" })
        let refused = try await inventory.refusedAttempts().map { "\($0.actor) \($0.source) \($0.code)" }
        #expect(
            refused == ["sam scanner forbidden", "sam scanner csrf", "unknown scanner signed_out"],
            "the audit trail keeps each refused attempt, not the ledger's refusals")
        #expect(try await inventory.verify().isEmpty)
    }

    @Test("on a ledger without a warehouse the catalogue is refused with 404 and a code, not an empty 200")
    func noWarehouse() async throws {
        let kind: HTTPStore =
            ProcessInfo.processInfo.environment["STOCKLINE_TEST_STORE"] == "postgres" ? .postgres : .sqlite
        let inventory = Inventory(store: try await kind.open().0)
        try await inventory.createUser(name: "ada", password: "ada-password-1", role: .admin, warehouse: nil)
        let (secret, _) = try #require(try await inventory.signIn(name: "ada", password: "ada-password-1"))
        let app = try buildApplication(inventory: inventory, configuration: .init(), logger: Logger(label: "test"))
        try await app.test(.router) { client in
            let (status, reply) = try await client.send(
                .get, "/scan/api/catalog", token: nil, headers: ["Cookie": "stockline_session=\(secret)"])
            #expect(status == 404)
            #expect(reply["code"] as? String == "unknown_location")
        }
    }
}
