import Foundation
import OpenAPIRuntime
import Stockline
import StocklineAPI
import StocklineCore

extension APIImplementation {
    func listPartners(_ input: Operations.ListPartners.Input) async throws -> Operations.ListPartners.Output {
        try authorize(.read)
        return .ok(.init(body: .json(try Self.bridge(try await inventory.catalog().partners))))
    }

    func createPartner(_ input: Operations.CreatePartner.Input) async throws -> Operations.CreatePartner.Output {
        try authorize(.manageMasterData)
        guard case .json(let new) = input.body else {
            throw Problem(status: 415, code: "validation_failed", detail: "send application/json")
        }
        let role = Partner.Role(rawValue: new.role.rawValue) ?? .supplier
        let wanted = Partner(code: new.code, role: role, name: new.name, leadDays: new.leadDays ?? 0)
        let partner = try await inventory.remember(
            key: input.headers.idempotencyKey, request: Remembered(operationID: "createPartner", body: new)
        ) {
            do {
                return try await inventory.addPartner(
                    code: new.code, role: role, name: new.name, leadDays: new.leadDays ?? 0)
            } catch StockError.duplicate {
                // The same partner again is the same answer; another one under a taken code is a conflict.
                guard let existing = try await inventory.catalog().partner(code: new.code, role: role),
                    existing == wanted
                else { throw StockError.duplicate(kind: role.rawValue, code: new.code) }
                return existing
            }
        }
        return .created(.init(body: .json(try Self.bridge(partner))))
    }

    func setBill(_ input: Operations.SetBill.Input) async throws -> Operations.SetBill.Output {
        try authorize(.manageItems)
        guard case .json(let bill) = input.body else {
            throw Problem(status: 415, code: "validation_failed", detail: "send application/json")
        }
        let item = try await inventory.setBill(
            sku: input.path.sku, components: try bill.lines.map { ($0.sku, try Fixed($0.qty)) })
        struct Lines: Encodable {
            var lines: [Line]
            struct Line: Encodable {
                var sku: String
                var qty: Quantity
            }
        }
        return .ok(
            .init(
                body: .json(
                    try Self.bridge(Lines(lines: (item.bill ?? []).map { .init(sku: $0.sku, qty: $0.quantity) })))))
    }

    func updatePartner(_ input: Operations.UpdatePartner.Input) async throws -> Operations.UpdatePartner.Output {
        try authorize(.manageMasterData)
        guard case .json(let change) = input.body else {
            throw Problem(status: 415, code: "validation_failed", detail: "send application/json")
        }
        let partner = try await inventory.updatePartner(
            code: input.path.code, role: Partner.Role(rawValue: input.path.role.rawValue) ?? .supplier,
            name: change.name, leadDays: change.leadDays)
        return .ok(.init(body: .json(try Self.bridge(partner))))
    }

    func listRoutes(_ input: Operations.ListRoutes.Input) async throws -> Operations.ListRoutes.Output {
        try authorize(.read)
        let catalog = try await inventory.catalog()
        return .ok(.init(body: .json(try catalog.routes.map { try Self.schema($0, catalog: catalog) })))
    }

    func setRoute(_ input: Operations.SetRoute.Input) async throws -> Operations.SetRoute.Output {
        try authorize(.manageMasterData)
        guard case .json(let new) = input.body else {
            throw Problem(status: 415, code: "validation_failed", detail: "send application/json")
        }
        let route = try await inventory.setRoute(
            from: new.from, to: new.to, leadDays: new.leadDays ?? 0, cost: try new.cost.map { try Fixed($0) } ?? .zero)
        return .created(.init(body: .json(try Self.schema(route, catalog: try await inventory.catalog()))))
    }

    static func schema(_ route: Route, catalog: Catalog) throws -> Components.Schemas.Route {
        .init(
            from: catalog.warehouses[route.fromID]?.code ?? "?", to: catalog.warehouses[route.toID]?.code ?? "?",
            leadDays: route.leadDays, cost: route.cost.double)
    }

    func listPurchaseOrders(_ input: Operations.ListPurchaseOrders.Input) async throws
        -> Operations.ListPurchaseOrders.Output
    {
        .ok(.init(body: .json(try await list(.purchase, limit: input.query.limit, today: input.query.today))))
    }

    func listSalesOrders(_ input: Operations.ListSalesOrders.Input) async throws -> Operations.ListSalesOrders.Output {
        .ok(.init(body: .json(try await list(.sales, limit: input.query.limit, today: input.query.today))))
    }

    func listProductionOrders(_ input: Operations.ListProductionOrders.Input) async throws
        -> Operations.ListProductionOrders.Output
    {
        .ok(.init(body: .json(try await list(.production, limit: input.query.limit, today: input.query.today))))
    }

    func createProductionOrder(_ input: Operations.CreateProductionOrder.Input) async throws
        -> Operations.CreateProductionOrder.Output
    {
        guard case .json(let body) = input.body else { throw Self.notJSON }
        return .created(
            .init(
                body: .json(
                    try await place(
                        body, kind: .productionOrder, key: input.headers.idempotencyKey,
                        effective: input.headers.effectiveTime))))
    }

    func createPurchaseOrder(_ input: Operations.CreatePurchaseOrder.Input) async throws
        -> Operations.CreatePurchaseOrder.Output
    {
        guard case .json(let body) = input.body else { throw Self.notJSON }
        return .created(
            .init(
                body: .json(
                    try await place(
                        body, kind: .purchaseOrder, key: input.headers.idempotencyKey,
                        effective: input.headers.effectiveTime))))
    }

    func createSalesOrder(_ input: Operations.CreateSalesOrder.Input) async throws
        -> Operations.CreateSalesOrder.Output
    {
        guard case .json(let body) = input.body else { throw Self.notJSON }
        return .created(
            .init(
                body: .json(
                    try await place(
                        body, kind: .salesOrder, key: input.headers.idempotencyKey,
                        effective: input.headers.effectiveTime))))
    }

    func getOrder(_ input: Operations.GetOrder.Input) async throws -> Operations.GetOrder.Output {
        try authorize(.read)
        let order = try await inventory.order(id: input.path.order, today: try Self.day(input.query.today, "today"))
        return .ok(.init(body: .json(try Self.bridge(order))))
    }

    func promise(_ input: Operations.Promise.Input) async throws -> Operations.Promise.Output {
        try authorize(.read)
        guard case .json(let request) = input.body else {
            throw Problem(status: 415, code: "validation_failed", detail: "send application/json")
        }
        let quantity = try Fixed(request.qty)
        let (date, timeline) = try await inventory.promise(
            sku: request.sku, quantity: quantity, at: request.at, today: try Self.day(request.today, "today"))
        struct Answer: Encodable {
            var sku: String
            var qty: Quantity
            var at: String
            var date: Date?
            var timeline: TimelineView
        }
        return .ok(
            .init(
                body: .json(
                    try Self.bridge(
                        Answer(
                            sku: request.sku, qty: quantity, at: request.at, date: date,
                            timeline: TimelineView(timeline))))))
    }

    func getTimeline(_ input: Operations.GetTimeline.Input) async throws -> Operations.GetTimeline.Output {
        try authorize(.read)
        let timeline = try await inventory.timeline(
            sku: input.path.sku, at: input.query.at, today: try Self.day(input.query.today, "today"))
        return .ok(.init(body: .json(try Self.bridge(TimelineView(timeline)))))
    }

    private static let notJSON = Problem(status: 415, code: "validation_failed", detail: "send application/json")

    /// The newest orders of `kind` as of `today` (default: today).
    private func list(_ kind: Order.Kind, limit: Int?, today: String?) async throws -> [Components.Schemas.Order] {
        try authorize(.read)
        return try Self.bridge(
            try await inventory.orders(kind: kind, limit: limit ?? 100, today: try Self.day(today, "today")))
    }

    /// Places an order through the one posting pipeline: its id is the idempotency key.
    private func place<Body: Encodable>(_ body: Body, kind: OperationKind, key: String?, effective: String?)
        async throws -> Components.Schemas.Order
    {
        let fields =
            try ParsedBody.current ?? JSONDecoder().decode(DocumentValue.self, from: JSONEncoder().encode(body))
        let operation = try StockOperation.decode(kind: kind.rawValue, fields: fields, at: "")
        try await authorizePosting(operation)
        let id = key ?? inventory.environment.newKey()
        let outcome = try await inventory.attempt(
            operation, key: id, actor: Caller.current?.token.name ?? "api", source: "http",
            token: Caller.current?.token.name, requestID: RequestIDLocal.current,
            effective: try Self.day(effective, "Effective-Time"))
        _ = try outcome.get()
        return try Self.bridge(try await inventory.order(id: id, today: try Self.day(effective, "Effective-Time")))
    }

    /// A day or date-time sent as text, or nil when none was sent.
    static func day(_ text: String?, _ field: String) throws -> Date? {
        guard let text else { return nil }
        guard let date = Day.parse(text) else {
            throw StockError.validationFailed(
                field: field, reason: "\(text) is not a date (YYYY-MM-DD) or an RFC 3339 date-time")
        }
        return date
    }

    /// A service value as the API's schema type of the same shape: snake_case names, days as YYYY-MM-DD.
    static func bridge<Value: Encodable, Schema: Decodable>(_ value: Value) throws -> Schema {
        try JSONDecoder().decode(Schema.self, from: bridgeEncoder.encode(value))
    }

    private static let bridgeEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Day.text(date))
        }
        return encoder
    }()
}

/// A timeline with its points, as the API shows it.
struct TimelineView: Encodable {
    var today: Date
    var available: Quantity
    var entries: [Timeline.Entry]
    var points: [Timeline.Point]

    init(_ timeline: Timeline) {
        today = timeline.today
        available = timeline.available
        entries = timeline.entries
        points = timeline.points
    }
}
