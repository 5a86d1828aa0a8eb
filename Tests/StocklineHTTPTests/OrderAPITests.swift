import Foundation
import HTTPTypes
import HummingbirdTesting
import Stockline
import StocklineCore
import Testing

@Suite("orders over HTTP")
struct OrderAPITests {
    @Test("a purchase order is placed, replayed under its id, refused with another body, received and read as of a day")
    func purchaseOrderLifecycle() async throws {
        let world = try await APIWorld()
        let admin = world.admin
        try await world.test { client in
            let (created, partner) = try await client.send(
                .post, "/v1/partners", json: #"{"code": "DENSO", "role": "supplier", "lead_days": 5}"#, token: admin)
            #expect(created == 201)
            #expect(partner["lead_days"] as? Int == 5)
            let order = #"{"supplier": "DENSO", "at": "WH1", "lines": [{"sku": "P1", "qty": 50, "unit_cost": 4}]}"#
            let (placed, body) = try await client.send(
                .post, "/v1/purchase-orders", json: order, key: "po-7", token: admin,
                headers: ["Effective-Time": "2026-03-02"])
            #expect(placed == 201)
            #expect(body["id"] as? String == "po-7")
            #expect(body["status"] as? String == "open")
            let line = try #require((body["lines"] as? [[String: Any]])?.first)
            #expect(line["expected"] as? String == "2026-03-07")
            let (again, replay) = try await client.send(
                .post, "/v1/purchase-orders", json: order, key: "po-7", token: admin,
                headers: ["Effective-Time": "2026-03-02"])
            #expect(again == 201)
            #expect(replay["id"] as? String == "po-7")
            let (reused, problem) = try await client.send(
                .post, "/v1/purchase-orders",
                json: #"{"supplier": "DENSO", "at": "WH1", "lines": [{"sku": "P1", "qty": 51, "unit_cost": 4}]}"#,
                key: "po-7", token: admin)
            #expect(reused == 422)
            #expect(problem["code"] as? String == "idempotency_key_reused")
            let (refused, over) = try await client.send(
                .post, "/v1/postings", json: #"{"receive": {"po": "po-7", "lines": [{"sku": "P1", "qty": 51}]}}"#,
                token: admin)
            #expect(refused == 409)
            #expect(over["code"] as? String == "invalid_state")
            let (received, _) = try await client.send(
                .post, "/v1/postings", json: #"{"receive": {"po": "po-7", "lines": [{"sku": "P1", "qty": 30}]}}"#,
                key: "r-1", token: admin, headers: ["Effective-Time": "2026-03-06"])
            #expect(received == 201)
            let (read, view) = try await client.send(.get, "/v1/orders/po-7?today=2026-03-09", token: admin)
            #expect(read == 200)
            #expect(view["status"] as? String == "partial")
            let open = try #require((view["lines"] as? [[String: Any]])?.first)
            #expect(open["received"] as? Double == 30)
            #expect(open["open"] as? Double == 20)
            #expect(open["overdue"] as? Bool == true)
            let (promised, promise) = try await client.send(
                .post, "/v1/promise", json: #"{"sku": "P1", "qty": 50, "at": "WH1", "today": "2026-03-09"}"#,
                token: admin)
            #expect(promised == 200)
            #expect(promise["date"] as? String == "2026-03-09")
            let (missing, unknown) = try await client.send(.get, "/v1/orders/po-none", token: admin)
            #expect(missing == 422)
            #expect(unknown["code"] as? String == "unknown_order")
        }
        #expect(try await world.inventory.position(sku: "P1", at: "WH1").incoming == Fixed(20))
        #expect(try await world.inventory.verify().isEmpty)
    }

    @Test("partners and routes are master data: created, changed, listed; bad values are refused and change nothing")
    func partnersAndRoutes() async throws {
        let world = try await APIWorld()
        let admin = world.admin
        try await world.test { client in
            let (created, _) = try await client.send(
                .post, "/v1/partners", json: #"{"code": "VALEO", "role": "supplier"}"#, token: admin)
            #expect(created == 201)
            let (duplicate, conflict) = try await client.send(
                .post, "/v1/partners", json: #"{"code": "VALEO", "role": "supplier", "lead_days": 9}"#, token: admin)
            #expect(duplicate == 409)
            #expect(conflict["code"] as? String == "conflict")
            let (changed, partner) = try await client.send(
                .put, "/v1/partners/supplier/VALEO", json: #"{"lead_days": 12, "name": "Valeo SA"}"#, token: admin)
            #expect(changed == 200)
            #expect(partner["lead_days"] as? Int == 12)
            let (missing, unknown) = try await client.send(
                .put, "/v1/partners/customer/VALEO", json: #"{"lead_days": 1}"#, token: admin)
            #expect(missing == 422)
            #expect(unknown["code"] as? String == "unknown_partner")
            let (routed, route) = try await client.send(
                .post, "/v1/routes", json: #"{"from": "WH1", "to": "WH2", "lead_days": 3, "cost": 0.25}"#, token: admin)
            #expect(routed == 201)
            #expect(route["lead_days"] as? Int == 3)
            let (loop, refused) = try await client.send(
                .post, "/v1/routes", json: #"{"from": "WH1", "to": "WH1"}"#, token: admin)
            #expect(loop == 422)
            #expect(refused["code"] as? String == "validation_failed")
        }
        let catalog = try await world.inventory.catalog()
        #expect(catalog.partner(code: "VALEO", role: .supplier)?.leadDays == 12)
        #expect(catalog.routes.count == 1)
    }

    @Test("every order change is an event in the changes feed, in the transaction of its posting")
    func orderEvents() async throws {
        let world = try await APIWorld()
        let inventory = world.inventory
        try await inventory.addPartner(code: "DLR", role: .customer)
        try await inventory.post(.receive(.init(sku: "P1", qty: Fixed(3), at: "WH1", unitCost: Fixed(2))))
        let before = try await inventory.latestEventSequence()
        try await inventory.post(
            .salesOrder(.init(customer: "DLR", at: "WH1", lines: [.init(sku: "P1", qty: Fixed(5))])), key: "so-1")
        try await inventory.post(.receive(.init(sku: "P1", qty: Fixed(2), at: "WH1", unitCost: Fixed(2))))
        try await inventory.post(.allocate(.init()), key: "alloc-1")
        try await inventory.post(.ship(.init(order: "so-1")), key: "ship-1")
        let events = try await inventory.events(after: before, limit: 100).filter { $0.type.hasPrefix("order.") }
        #expect(events.map(\.type) == ["order.created", "order.allocated", "order.shipped"])
        #expect(events.allSatisfy { $0.subject == "order/so-1" })
        #expect(events.last?.payload["status"] == "done")
        #expect(events.last?.payload["warehouses"] == "WH1")
    }
}
