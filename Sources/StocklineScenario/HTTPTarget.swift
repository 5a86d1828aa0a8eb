import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
public import StocklineCore
import Synchronization

/// Runs scenarios against a running server through its public API only.
///
/// Many files share one server, so every name a file gives (companies, warehouses, SKUs, orders, keys) is prefixed
/// with a per-file tag; the file's own world is then invisible to the others.
public final class HTTPTarget: ScenarioTarget {
    public let server: URL
    public let token: String
    public let tag: String
    private let client = HTTPClient.shared
    /// The file's only company, which `set_cost` means when it names none.
    private let soleCompany = Mutex<String?>(nil)

    public init(server: URL, token: String, tag: String) {
        self.server = server
        self.token = token
        self.tag = tag
    }

    // MARK: - Names

    func name(_ name: String) -> String { "\(tag)-\(name)" }

    /// `WH1` or `WH1/STOCK/A-01`: the warehouse code is the first part of a path.
    func path(_ path: String) -> String { name(path) }

    // MARK: - ScenarioTarget

    public func setUp(_ setup: Scenario.Setup) async throws {
        let companies = setup.companies ?? [Scenario.CompanySpec(code: "MAIN", currency: "EUR", costing: .fifo)]
        for company in companies {
            try await create(
                "/v1/companies",
                [
                    "code": name(company.code), "currency": company.currency ?? "EUR",
                    "costing": (company.costing ?? .fifo).rawValue,
                ])
        }
        for warehouse in setup.warehouses ?? [] {
            var body: [String: Any] = [
                "code": name(warehouse.code), "allow_negative": warehouse.allowNegative ?? false,
            ]
            if let owner = warehouse.company ?? companies.first?.code { body["company"] = name(owner) }
            if let kind = warehouse.kind { body["kind"] = kind.rawValue }
            try await create("/v1/warehouses", body)
        }
        for location in setup.locations ?? [] { try await create("/v1/locations", ["path": path(location.path)]) }
        for (role, partners) in [("supplier", setup.suppliers ?? []), ("customer", setup.customers ?? [])] {
            for partner in partners {
                var body: [String: Any] = ["code": name(partner.code), "role": role]
                if let given = partner.name { body["name"] = given }
                if let days = partner.leadDays { body["lead_days"] = days.value }
                try await create("/v1/partners", body)
            }
        }
        for var item in setup.items ?? [] {
            item.suppliers = item.suppliers?.map { terms in
                var terms = terms
                terms.supplier = name(terms.supplier)
                return terms
            }
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            var body = try JSONSerialization.jsonObject(with: try encoder.encode(item)) as? [String: Any] ?? [:]
            body["sku"] = name(item.sku)
            try await create("/v1/items", body)
        }
        for route in setup.routes ?? [] {
            var body: [String: Any] = ["from": name(route.from), "to": name(route.to)]
            if let days = route.leadDays { body["lead_days"] = days.value }
            if let cost = route.cost { body["cost"] = NSDecimalNumber(string: cost.description) }
            let (status, answer) = try await send(.POST, "/v1/routes", json: body)
            guard status == 201 else { throw refusal(status, answer) }
        }
        for bom in setup.boms ?? [] {
            let lines: [[String: Any]] = bom.lines.map {
                ["sku": name($0.sku), "qty": NSDecimalNumber(string: $0.qty.description)]
            }
            let (status, answer) = try await send(.PUT, "/v1/items/\(name(bom.sku))/bom", json: ["lines": lines])
            guard status == 200 else { throw refusal(status, answer) }
        }
        soleCompany.withLock { $0 = companies.count == 1 ? companies.first.map { name($0.code) } : nil }
    }

    public func post(_ operation: StockOperation, key: String, source: String, at: Date) async throws
        -> Result<Void, Refusal>
    {
        let renamed = rename(operation)
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let fields = try JSONSerialization.jsonObject(with: try renamed.encodedFields(encoder))
        let (status, body) = try await send(
            .POST, "/v1/postings", json: [renamed.kind.rawValue: fields], key: name(key),
            headers: ["Effective-Time": at.formatted(.iso8601)])
        if status == 201 { return .success(()) }
        guard let code = body["code"] as? String else { throw Refusal(code: "http_\(status)", message: "\(body)") }
        return .failure(Refusal(code: code, message: body["detail"] as? String ?? ""))
    }

    public func ledgerMark() async throws -> String {
        let (_, body) = try await send(.GET, "/v1/events?after=0&limit=1")
        return "\(body["latest"] ?? "?")"
    }

    public func position(sku: String, at: String?, lot: String?) async throws -> StockPosition {
        var query = [URLQueryItem(name: "sku", value: name(sku))]
        if let at { query.append(URLQueryItem(name: "at", value: path(at))) }
        if let lot { query.append(URLQueryItem(name: "lot", value: lot)) }
        let (status, body) = try await send(.GET, "/v1/stock", query: query)
        guard status == 200, let first = (body["items"] as? [[String: Any]])?.first else { throw refusal(status, body) }
        var position = StockPosition()
        position.onHand = Self.fixed(first["on_hand"])
        position.blocked = Self.fixed(first["blocked"])
        position.reserved = Self.fixed(first["reserved"])
        position.inTransit = Self.fixed(first["in_transit"])
        position.incoming = Self.fixed(first["incoming"])
        position.outgoing = Self.fixed(first["outgoing"])
        position.value = Self.fixed(first["value"])
        position.unitCost = Self.fixed(first["unit_cost"])
        return position
    }

    public func quantityPlaces(sku: String) async throws -> Int {
        let (status, body) = try await send(.GET, "/v1/items/\(name(sku))")
        guard status == 200, let uom = body["uom"] as? String else { throw refusal(status, body) }
        return UnitOfMeasure.builtIn[uom]?.precisionPlaces ?? 3
    }

    public func costOfGoods(key: String) async throws -> Money {
        let (status, body) = try await send(.GET, "/v1/postings/\(name(key))")
        guard status == 200 else { throw refusal(status, body) }
        return -Self.fixed(body["value"])
    }

    public func totalValue(sku: String, company: String?) async throws -> Money {
        let query = company.map { [URLQueryItem(name: "company", value: name($0))] } ?? []
        let (status, body) = try await send(.GET, "/v1/stock/\(name(sku))/value", query: query)
        guard status == 200 else { throw refusal(status, body) }
        return Self.fixed(body["value"])
    }

    public func imbalances() async throws -> [String] {
        let (status, body) = try await send(.GET, "/v1/ledger/verify")
        guard status == 200 else { throw refusal(status, body) }
        return (body["problems"] as? [String] ?? []).filter { $0.hasPrefix("conservation: \(tag)-") }
    }

    public func order(id: String, today: Date) async throws -> OrderView {
        let (status, body) = try await send(
            .GET, "/v1/orders/\(name(id))", query: [URLQueryItem(name: "today", value: Checker.day(today))])
        guard status == 200 else { throw refusal(status, body) }
        let data = try JSONSerialization.data(withJSONObject: body)
        var view = try Self.decoder.decode(OrderView.self, from: data)
        for index in view.lines.indices { view.lines[index].sku = unname(view.lines[index].sku) }
        return view
    }

    public func promise(sku: String, quantity: Quantity, at: String, today: Date) async throws -> Date? {
        let (status, body) = try await send(
            .POST, "/v1/promise",
            json: [
                "sku": name(sku), "qty": NSDecimalNumber(string: quantity.description), "at": path(at),
                "today": Checker.day(today),
            ])
        guard status == 200 else { throw refusal(status, body) }
        return (body["date"] as? String).flatMap { try? Scenario.date($0, at: "date") }
    }

    private func unname(_ tagged: String) -> String {
        tagged.hasPrefix(tag + "-") ? String(tagged.dropFirst(tag.count + 1)) : tagged
    }

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            return try Scenario.date(text, at: "date")
        }
        return decoder
    }()

    // MARK: - HTTP

    private func refusal(_ status: Int, _ body: [String: Any]) -> Refusal {
        Refusal(code: body["code"] as? String ?? "http_\(status)", message: body["detail"] as? String ?? "\(body)")
    }

    private func create(_ path: String, _ body: [String: Any]) async throws {
        let (status, answer) = try await send(
            .POST, path, json: body, key: "\(tag)-setup-\(path)-\(body["code"] ?? body["path"] ?? body["sku"] ?? "")")
        guard status == 201 else { throw refusal(status, answer) }
    }

    private func send(
        _ method: HTTPMethod, _ path: String, query: [URLQueryItem] = [], json: Any? = nil,
        key: String? = nil, headers: [String: String] = [:]
    ) async throws -> (Int, [String: Any]) {
        var components = URLComponents(url: server.appendingPathComponent(path), resolvingAgainstBaseURL: false)
        if !query.isEmpty { components?.queryItems = query }
        guard let url = components?.url ?? URL(string: server.absoluteString + path) else {
            throw Refusal(code: "validation_failed", message: "cannot build a URL for \(path)")
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "application/json, application/problem+json")
        if let key { request.headers.add(name: "Idempotency-Key", value: key) }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: json)))
        }
        let response = try await client.execute(request, timeout: .seconds(60))
        let data = Data(buffer: try await response.body.collect(upTo: 16 << 20))
        let object = try? JSONSerialization.jsonObject(with: data)
        if let list = object as? [Any] { return (Int(response.status.code), ["items": list]) }
        return (
            Int(response.status.code), object as? [String: Any] ?? ["detail": String(decoding: data, as: UTF8.self)]
        )
    }

    static func fixed(_ value: Any?) -> Fixed {
        if let number = value as? NSNumber { return Fixed(String(format: "%.6f", number.doubleValue)) ?? .zero }
        return .zero
    }
}

extension HTTPTarget {
    /// The operation with the file's names tagged.
    func rename(_ operation: StockOperation) -> StockOperation {
        let n = name, p = path
        switch operation {
        case .receive(var op):
            op.sku = n(op.sku)
            op.at = p(op.at)
            return .receive(op)
        case .deliver(var op):
            op.sku = n(op.sku)
            op.from = p(op.from)
            op.order = op.order.map(n)
            return .deliver(op)
        case .reserve(var op):
            op.sku = n(op.sku)
            op.at = p(op.at)
            op.order = n(op.order)
            return .reserve(op)
        case .unreserve(var op):
            op.order = n(op.order)
            return .unreserve(op)
        case .ship(var op):
            op.order = n(op.order)
            return .ship(op)
        case .transfer(var op):
            op.sku = n(op.sku)
            op.from = p(op.from)
            op.to = p(op.to)
            return .transfer(op)
        case .arrive(var op):
            op.transfer = n(op.transfer)
            return .arrive(op)
        case .count(var op):
            op.sku = n(op.sku)
            op.at = p(op.at)
            return .count(op)
        case .adjust(var op):
            op.sku = n(op.sku)
            op.at = p(op.at)
            return .adjust(op)
        case .scrap(var op):
            op.sku = n(op.sku)
            op.from = p(op.from)
            return .scrap(op)
        case .returnFromCustomer(var op):
            op.sku = n(op.sku)
            op.to = p(op.to)
            op.of = op.of.map(n)
            return .returnFromCustomer(op)
        case .returnToSupplier(var op):
            op.sku = n(op.sku)
            op.from = p(op.from)
            op.of = op.of.map(n)
            return .returnToSupplier(op)
        case .hold(var op):
            op.sku = n(op.sku)
            op.at = p(op.at)
            return .hold(op)
        case .release(var op):
            op.sku = n(op.sku)
            op.at = p(op.at)
            return .release(op)
        case .reject(var op):
            op.sku = n(op.sku)
            op.at = p(op.at)
            return .reject(op)
        case .landedCost(var op):
            op.receipts = op.receipts.map(n)
            return .landedCost(op)
        case .consume(var op):
            op.sku = n(op.sku)
            op.at = p(op.at)
            return .consume(op)
        case .produce(var op):
            op.sku = n(op.sku)
            op.at = p(op.at)
            return .produce(op)
        case .supersede(var op):
            op.old = n(op.old)
            op.new = n(op.new)
            return .supersede(op)
        case .setCost(var op):
            op.sku = n(op.sku)
            op.company = op.company.map(n) ?? soleCompany.withLock { $0 }
            return .setCost(op)
        case .purchaseOrder(var op):
            op.supplier = n(op.supplier)
            op.at = p(op.at)
            for index in op.lines.indices { op.lines[index].sku = n(op.lines[index].sku) }
            return .purchaseOrder(op)
        case .asn(var op):
            op.po = n(op.po)
            for index in op.lines.indices { op.lines[index].sku = n(op.lines[index].sku) }
            return .asn(op)
        case .receiveOrder(var op):
            op.po = n(op.po)
            for index in op.lines.indices { op.lines[index].sku = n(op.lines[index].sku) }
            return .receiveOrder(op)
        case .salesOrder(var op):
            op.customer = n(op.customer)
            op.at = p(op.at)
            for index in op.lines.indices { op.lines[index].sku = n(op.lines[index].sku) }
            return .salesOrder(op)
        case .allocate(var op):
            op.sku = op.sku.map(n)
            op.at = op.at.map(p)
            return .allocate(op)
        case .close(var op):
            op.order = n(op.order)
            return .close(op)
        case .productionOrder(var op):
            op.sku = n(op.sku)
            op.at = p(op.at)
            return .productionOrder(op)
        case .produceOrder(var op):
            op.order = n(op.order)
            return .produceOrder(op)
        }
    }
}

extension StockOperation {
    /// The operation's fields as the API and scenario files write them.
    public func encodedFields(_ encoder: JSONEncoder) throws -> Data {
        switch self {
        case .receive(let op): try encoder.encode(op)
        case .deliver(let op): try encoder.encode(op)
        case .reserve(let op): try encoder.encode(op)
        case .unreserve(let op), .ship(let op): try encoder.encode(op)
        case .transfer(let op): try encoder.encode(op)
        case .arrive(let op): try encoder.encode(op)
        case .count(let op): try encoder.encode(op)
        case .adjust(let op): try encoder.encode(op)
        case .scrap(let op): try encoder.encode(op)
        case .returnFromCustomer(let op): try encoder.encode(op)
        case .returnToSupplier(let op): try encoder.encode(op)
        case .hold(let op), .release(let op), .reject(let op): try encoder.encode(op)
        case .landedCost(let op): try encoder.encode(op)
        case .consume(let op): try encoder.encode(op)
        case .produce(let op): try encoder.encode(op)
        case .supersede(let op): try encoder.encode(op)
        case .setCost(let op): try encoder.encode(op)
        case .purchaseOrder(let op): try encoder.encode(op)
        case .asn(let op): try encoder.encode(op)
        case .receiveOrder(let op): try encoder.encode(op)
        case .salesOrder(let op): try encoder.encode(op)
        case .allocate(let op): try encoder.encode(op)
        case .close(let op): try encoder.encode(op)
        case .productionOrder(let op): try encoder.encode(op)
        case .produceOrder(let op): try encoder.encode(op)
        }
    }
}
