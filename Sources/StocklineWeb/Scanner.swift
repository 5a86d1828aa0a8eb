import Foundation
import HTTPTypes
import Hummingbird
import Stockline
import StocklineCore

/// The handheld scanner: a Progressive Web App under `/scan/` whose shell and warehouse catalogue work offline.
///
/// The app talks to two JSON endpoints with the web session: `GET /scan/api/catalog` (the warehouse's items, stock
/// and open orders, cached by the app) and `POST /scan/api/actions` (one action under the idempotency key the app
/// gave it when the person did it, so an action queued offline and sent twice posts once).
struct Scanner: Sendable {
    let inventory: Inventory
    let assets: [String: (type: String, body: String)]

    static let files = [
        "index.html": "text/html; charset=utf-8", "app.js": "text/javascript; charset=utf-8",
        "gs1.js": "text/javascript; charset=utf-8", "sw.js": "text/javascript; charset=utf-8",
        "manifest.webmanifest": "application/manifest+json", "icon.svg": "image/svg+xml",
    ]

    init(inventory: Inventory) throws {
        self.inventory = inventory
        var assets: [String: (String, String)] = [:]
        for (name, type) in Self.files {
            let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
            guard let url = Bundle.module.url(forResource: parts[0], withExtension: parts[1], subdirectory: "Scanner")
            else { throw WebError.missingAsset(name) }
            assets[name] = (type, try String(contentsOf: url, encoding: .utf8))
        }
        self.assets = assets
    }

    func register<Context: RequestContext>(
        on router: Router<Context>, viewer: @escaping @Sendable (Request) async throws -> WebApp.Viewer?
    ) {
        // The router takes `/scan` and `/scan/` as one path; the service worker's scope is `/scan/`.
        router.get("/scan/") { request, _ in
            request.uri.path.hasSuffix("/") ? asset("index.html") : WebApp.redirect("/scan/")
        }
        for name in Self.files.keys where name != "index.html" {
            router.get("/scan/\(name)") { _, _ in asset(name) }
        }
        router.get("/scan/api/catalog") { request, _ in
            guard let viewer = try await viewer(request) else {
                return Self.json(Reply.signedOut, status: .unauthorized)
            }
            return try await catalog(viewer, warehouse: request.uri.queryParameters.get("warehouse"))
        }
        router.post("/scan/api/actions") { request, _ in
            guard let viewer = try await viewer(request) else {
                try await inventory.recordRefusal(
                    request, actor: "unknown", source: "scanner", code: "signed_out", Reply.signedOut.message ?? "")
                return Self.json(Reply.signedOut, status: .unauthorized)
            }
            return try await act(request, viewer)
        }
    }

    private func asset(_ name: String) -> Response {
        guard let (type, body) = assets[name] else { return Response(status: .notFound) }
        var headers: HTTPFields = [
            .contentType: type, .cacheControl: "no-cache",
            .contentSecurityPolicy: "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
        ]
        if name == "sw.js", let allowed = HTTPField.Name("Service-Worker-Allowed") { headers[allowed] = "/scan/" }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    // MARK: - Catalogue

    struct Catalog: Encodable {
        var user: String
        var role: String
        var csrf: String
        var warehouse: String
        /// Where this user may pick a warehouse; transfer destinations for a user not bound to one.
        var warehouses: [String]
        /// Counts do not show the system quantity.
        var blindCounts: Bool
        var locations: [String]
        var items: [Item]
        var purchaseOrders: [Order]
        var salesOrders: [Order]
        var at: String

        struct Item: Encodable {
            var sku: String
            var name: String
            var gtin: String?
            var unit: String
            var tracking: String
            var stock: [Stock]
        }

        struct Stock: Encodable {
            var location: String
            var lot: String?
            var qty: String
            var reserved: String
        }

        struct Order: Encodable {
            var id: String
            var partner: String?
            var lines: [Line]
        }

        struct Line: Encodable {
            var sku: String
            var open: String
            var reserved: String?
            var expected: String?
        }
    }

    private func catalog(_ viewer: WebApp.Viewer, warehouse wanted: String?) async throws -> Response {
        let codes = try await inventory.catalog().warehouses.values.map(\.code).sorted()
        let mine = viewer.user.warehouse.map { [$0] } ?? codes
        guard let code = wanted.flatMap({ mine.contains($0) ? $0 : nil }) ?? mine.first else {
            return Self.json(
                Reply(
                    status: "refused", code: "unknown_location",
                    message: "There is no warehouse to work in: an administrator adds one first."),
                status: .notFound)
        }
        let stock = try await inventory.warehouseStock(code)
        let orders = { (kind: Order.Kind) in
            stock.orders.filter { $0.kind == kind }.map { order in
                Catalog.Order(
                    id: order.id, partner: order.partner,
                    lines: order.lines.filter { $0.open.isPositive }.map { line in
                        Catalog.Line(
                            sku: line.sku, open: line.open.description, reserved: line.reserved?.description,
                            expected: line.expected.map(Day.text))
                    })
            }
        }
        let body = Catalog(
            user: viewer.user.name, role: viewer.user.role.rawValue, csrf: viewer.session.csrf, warehouse: code,
            warehouses: codes, blindCounts: viewer.user.role == .warehouseOperator, locations: stock.locations,
            items: stock.items.map { entry in
                Catalog.Item(
                    sku: entry.item.sku, name: entry.item.name, gtin: entry.item.gtin, unit: entry.item.unit.name,
                    tracking: entry.item.tracking.rawValue,
                    stock: entry.quants.map {
                        .init(
                            location: $0.location, lot: $0.lot, qty: $0.quantity.description,
                            reserved: $0.reserved.description)
                    })
            },
            purchaseOrders: orders(.purchase), salesOrders: orders(.sales),
            at: ISO8601DateFormatter().string(from: inventory.environment.now()))
        return Self.json(body)
    }

    // MARK: - Actions

    /// One thing a person did on the handheld, as the app queued it.
    struct Action: Decodable {
        var key: String
        var kind: String
        var sku: String?
        var qty: String?
        var po: String?
        var order: String?
        var lot: String?
        var expiry: String?
        var serials: [String]?
        var from: String?
        var to: String?
        var at: String?
        var expected: String?
    }

    struct Reply: Encodable {
        var status: String
        var code: String?
        var message: String?
        var posting: Int64?

        static let signedOut = Reply(
            status: "signed_out", code: "unauthorized", message: "The session ended: sign in again to send.")
    }

    private func act(_ request: Request, _ viewer: WebApp.Viewer) async throws -> Response {
        guard let name = HTTPField.Name("X-CSRF-Token"), request.headers[name] == viewer.session.csrf else {
            try await inventory.recordRefusal(
                request, actor: viewer.user.name, source: "scanner", code: "csrf",
                "An action without the session's token: nothing was changed.")
            return Self.json(
                Reply(status: "stale", code: "csrf", message: "The app's session token is old: it fetches a new one."),
                status: .forbidden)
        }
        let body = try await request.body.collect(upTo: 64 * 1024)
        let action: Action
        let operation: StockOperation
        do {
            action = try JSONDecoder().decode(Action.self, from: Data(body.readableBytesView))
            operation = try Self.operation(action)
        } catch let error as StockError {
            return Self.json(
                Reply(status: "refused", code: error.code, message: error.description), status: .unprocessableContent)
        } catch {
            return Self.json(
                Reply(status: "refused", code: "malformed", message: "The action could not be read: \(error)."),
                status: .badRequest)
        }
        var refusal: String?
        if !viewer.user.role.allows(.post(operation.kind)) {
            refusal = "A \(viewer.user.role.rawValue) may not \(operation.kind.rawValue): nothing was changed."
        } else if let scope = viewer.user.warehouse,
            // An operation that touches no warehouse's stock (an unknown order) is the ledger's to refuse.
            let other = try await inventory.warehouses(touchedBy: operation).first(where: { $0 != scope })
        {
            refusal = "\(viewer.user.name) may only work in \(scope), not in \(other): nothing was changed."
        }
        if let refusal {
            try await inventory.recordRefusal(
                request, actor: viewer.user.name, source: "scanner", code: "forbidden", refusal)
            return Self.json(Reply(status: "refused", code: "forbidden", message: refusal), status: .forbidden)
        }
        switch try await inventory.attempt(operation, key: action.key, actor: viewer.user.name, source: "scanner") {
        case .success(let result):
            return Self.json(Reply(status: "posted", posting: result.postingID))
        case .failure(let error):
            return Self.json(
                Reply(status: "refused", code: error.code, message: error.description),
                status: ["insufficient_stock", "invalid_state", "conflict"].contains(error.code)
                    ? .conflict : .unprocessableContent)
        }
    }

    /// The ledger operation an action stands for.
    static func operation(_ action: Action) throws(StockError) -> StockOperation {
        func field(_ value: String?, _ name: String) throws(StockError) -> String {
            guard let value, !value.isEmpty else { throw .validationFailed(field: name, reason: "is missing") }
            return value
        }
        func quantity(_ value: String?, _ name: String = "qty") throws(StockError) -> Quantity {
            guard let value = Fixed(try field(value, name)) else {
                throw .validationFailed(field: name, reason: "'\(value ?? "")' is not a number")
            }
            return value
        }
        let lot = action.lot.flatMap { $0.isEmpty ? nil : $0 }
        switch action.kind {
        case "receive":
            return .receiveOrder(
                .init(
                    po: try field(action.po, "po"),
                    lines: [
                        .init(
                            sku: try field(action.sku, "sku"), qty: try quantity(action.qty), lot: lot,
                            expiry: action.expiry.flatMap { $0.isEmpty ? nil : $0 },
                            serials: action.serials.flatMap { $0.isEmpty ? nil : $0 })
                    ]))
        case "putaway", "transfer":
            let from = try field(action.from, "from")
            let to = try field(action.to, "to")
            let sameWarehouse = from.split(separator: "/").first == to.split(separator: "/").first
            return .transfer(
                .init(
                    sku: try field(action.sku, "sku"), qty: try quantity(action.qty), from: from, to: to, lot: lot,
                    serials: action.serials.flatMap { $0.isEmpty ? nil : $0 }, transit: sameWarehouse ? nil : true))
        case "pick":
            return .ship(.init(order: try field(action.order, "order")))
        case "count":
            return .count(
                .init(
                    sku: try field(action.sku, "sku"), at: try field(action.at, "at"),
                    counted: try quantity(action.qty), lot: lot,
                    expected: try action.expected.map { value throws(StockError) in try quantity(value, "expected") }))
        default:
            throw .validationFailed(
                field: "kind", reason: "'\(action.kind)' is not receive, putaway, pick, transfer or count")
        }
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension Inventory {
    /// Keeps a refused web or scanner request for the audit trail, named by its method and path.
    func recordRefusal(_ request: Request, actor: String, source: String, code: String, _ detail: String) async throws {
        try await recordRefusal(
            actor: actor, source: source, action: "\(request.method.rawValue) \(request.uri.path)", code: code,
            detail: detail)
    }
}

enum WebError: Error, CustomStringConvertible {
    case missingAsset(String)

    var description: String {
        switch self {
        case .missingAsset(let name): "the scanner's file \(name) is missing from the web module's resources"
        }
    }
}
