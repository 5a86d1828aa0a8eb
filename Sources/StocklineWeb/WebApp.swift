public import Foundation
import HTTPTypes
public import Hummingbird
import Mustache
public import Stockline
import StocklineCore

/// The web app: server-rendered pages over the same `Inventory` service as the API, on the same port.
///
/// A person signs in with a name and password (see `Inventory.createUser`); the session lives in an HttpOnly,
/// SameSite=Strict cookie, every form carries the session's CSRF token, and the sign-in form a token of its own
/// (double submit), so no page can be driven from another site.
public struct WebApp: Sendable {
    let inventory: Inventory
    let library: MustacheLibrary
    let scanner: Scanner
    let finance: FinanceFigures

    static let sessionCookie = "stockline_session"
    static let loginCookie = "stockline_login"

    /// The day pages are read as when they ask for none (`?today=`): a demo's last day; nil: today.
    let day: Date?

    public init(inventory: Inventory, day: Date? = nil) throws {
        self.inventory = inventory
        self.day = day.map(Day.start(of:))
        self.library = try Templates.library()
        self.scanner = try Scanner(inventory: inventory)
        self.finance = FinanceFigures(balances: AccountBalances(inventory: inventory))
    }

    /// Adds the pages to `router`: `/login`, `/logout`, `/`, `/items/{sku}`, `/orders`, `/orders/{id}`, `/search`.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/static/app.css") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
                body: .init(byteBuffer: ByteBuffer(string: Templates.style)))
        }
        router.get("/login") { request, _ in try await loginPage(request) }
        router.post("/login") { request, _ in try await signIn(request) }
        router.post("/logout") { request, _ in try await signOut(request) }
        router.get("/") { request, _ in
            try await page(request) { viewer in
                try await overview(today: request.uri.queryParameters.get("today").flatMap(Day.parse), viewer)
            }
        }
        router.get("/items/:sku") { request, context in
            let sku = context.parameters.get("sku") ?? ""
            return try await page(request) { viewer in
                try await item(
                    sku, at: request.uri.queryParameters.get("at"),
                    today: request.uri.queryParameters.get("today").flatMap(Day.parse), viewer)
            }
        }
        router.get("/orders") { request, _ in
            try await page(request) { viewer in
                try await orders(today: request.uri.queryParameters.get("today"), viewer)
            }
        }
        router.get("/orders/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await page(request) { viewer in
                try await order(id, today: request.uri.queryParameters.get("today"), viewer)
            }
        }
        router.get("/finance") { request, _ in
            try await page(request, needs: .readAccounting) { viewer in
                try await finance(JournalQuery(request.uri.queryParameters), viewer)
            }
        }
        router.get("/changes") { request, _ in
            try await page(request) { viewer in
                try await changes(type: request.uri.queryParameters.get("type").map { String($0) }, viewer)
            }
        }
        router.get("/audit") { request, _ in
            try await page(request, needs: .readAudit) { viewer in
                try await audit(actor: request.uri.queryParameters.get("actor").map { String($0) }, viewer)
            }
        }
        router.post("/items/:sku/receive") { request, context in
            try await receive(request, sku: context.parameters.get("sku") ?? "")
        }
        router.get("/static/live.js") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "public, max-age=3600"],
                body: .init(byteBuffer: ByteBuffer(string: Templates.liveScript)))
        }
        router.get("/live") { request, _ in try await live(request) }
        scanner.register(on: router) { request in try await viewer(request) }
        router.get("/search") { request, _ in
            try await page(request) { viewer in try await search(request.uri.queryParameters.get("q") ?? "", viewer) }
        }
    }

    // MARK: - Sessions

    /// Who is looking, and the token their forms carry back.
    struct Viewer {
        var user: WebUser
        var session: WebSession
    }

    /// The viewer a request's session cookie stands for, if it is still valid.
    func viewer(_ request: Request) async throws -> Viewer? {
        guard let secret = Self.cookie(Self.sessionCookie, in: request),
            let (user, session) = try await inventory.session(secret: secret)
        else { return nil }
        return Viewer(user: user, session: session)
    }

    /// Runs `render` for a signed-in viewer whose role allows `permission`; without a valid session, the sign-in
    /// page; without the permission, a refusal that says which role may not.
    private func page(
        _ request: Request, needs permission: Permission = .read, _ render: (Viewer) async throws -> (String, Any)
    ) async throws -> Response {
        guard let viewer = try await viewer(request) else { return Self.redirect("/login") }
        guard viewer.user.role.allows(permission) else {
            return try await denied(
                request, code: "forbidden", "A \(viewer.user.role.rawValue) may not see this page.", viewer: viewer)
        }
        do {
            let (template, context) = try await render(viewer)
            return html(template, context, viewer: viewer)
        } catch let error as StockError {
            return html(
                "problem", ["heading": "Not found", "detail": "\(error.code): \(error.description)"], viewer: viewer,
                status: error.code.hasPrefix("unknown") ? .notFound : .unprocessableContent)
        }
    }

    private func loginPage(_ request: Request, error: String? = nil, name: String = "") async throws -> Response {
        let token = Self.cookie(Self.loginCookie, in: request) ?? UUID().uuidString
        var response = html(
            "login",
            present([
                "title": "Sign in", "loginCSRF": token, "error": error, "name": name,
                "next": Self.localPath(request.uri.queryParameters.get("next").map { String($0) }),
            ]), viewer: nil,
            status: error == nil ? .ok : .unauthorized)
        response.headers[values: .setCookie].append(
            "\(Self.loginCookie)=\(token); Path=/login; HttpOnly; Secure; SameSite=Strict")
        return response
    }

    private func signIn(_ request: Request) async throws -> Response {
        let form = try await Self.form(request)
        guard let token = Self.cookie(Self.loginCookie, in: request), form["csrf"] == token else {
            return try await loginPage(request, error: "The sign-in form expired: please sign in again.")
        }
        let name = form["name"] ?? ""
        guard let (secret, _) = try await inventory.signIn(name: name, password: form["password"] ?? "") else {
            return try await loginPage(request, error: "That name and password do not match.", name: name)
        }
        var response = Self.redirect(Self.localPath(form["next"]) ?? "/")
        response.headers[values: .setCookie].append(
            "\(Self.sessionCookie)=\(secret); Path=/; HttpOnly; Secure; SameSite=Strict; "
                + "Max-Age=\(Int(Inventory.sessionLifetime))")
        return response
    }

    /// Ends the session; a form without the session's CSRF token is refused and changes nothing.
    private func signOut(_ request: Request) async throws -> Response {
        let form = try await Self.form(request)
        guard let secret = Self.cookie(Self.sessionCookie, in: request),
            let (user, session) = try await inventory.session(secret: secret)
        else { return Self.redirect("/login") }
        guard form["csrf"] == session.csrf else {
            return try await denied(
                request, code: "csrf", "The form expired or came from elsewhere: nothing was changed.",
                viewer: Viewer(user: user, session: session))
        }
        try await inventory.signOut(secret: secret)
        var response = Self.redirect("/login")
        response.headers[values: .setCookie].append(
            "\(Self.sessionCookie)=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0")
        return response
    }

    /// A receipt posted from the item page: the user is the actor, the form's key makes a second click a replay.
    private func receive(_ request: Request, sku: String) async throws -> Response {
        guard let viewer = try await viewer(request) else {
            try await inventory.recordRefusal(
                request, actor: "unknown", source: "web", code: "signed_out", "No valid session: nothing was changed.")
            return Self.redirect("/login")
        }
        let form = try await Self.form(request)
        let back = "/items/\(sku)?at=\(form["warehouse"] ?? "")"
        guard form["csrf"] == viewer.session.csrf else {
            return try await denied(
                request, code: "csrf", "The form expired or came from elsewhere: nothing was changed.", viewer: viewer)
        }
        let warehouse = form["warehouse"] ?? ""
        guard viewer.user.role.allows(.post(.receive)),
            viewer.user.warehouse == nil || viewer.user.warehouse == warehouse
        else {
            return try await denied(
                request, code: "forbidden",
                "\(viewer.user.name) may not receive stock at \(warehouse): nothing was changed.", viewer: viewer)
        }
        guard let quantity = Fixed(form["qty"] ?? ""), let unitCost = Fixed(form["unit_cost"] ?? "") else {
            return refused(
                "validation_failed: give a quantity and a unit cost as numbers.", viewer: viewer,
                status: .unprocessableContent)
        }
        let outcome = try await inventory.attempt(
            .receive(.init(sku: sku, qty: quantity, at: warehouse, unitCost: unitCost)),
            key: form["key"].flatMap { $0.isEmpty ? nil : $0 }, actor: viewer.user.name, source: "web")
        if case .failure(let error) = outcome {
            return refused(
                "\(error.code): \(error.description)", viewer: viewer,
                status: error.code == "insufficient_stock" ? .conflict : .unprocessableContent)
        }
        return Self.redirect(back)
    }

    /// Server-sent events for open pages: the sequence number of each event committed after `after`, so a page
    /// can show what changed.
    private func live(_ request: Request) async throws -> Response {
        guard try await viewer(request) != nil else { return Response(status: .unauthorized) }
        let after = request.uri.queryParameters.get("after").flatMap { Int64($0) } ?? 0
        let events = LiveEvents(inventory: inventory, after: after).map { ByteBuffer(string: $0) }
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
            body: ResponseBody(asyncSequence: events))
    }

    // MARK: - Pages

    /// Totals, what needs attention and every warehouse; a user bound to a warehouse sees that one, with the way to
    /// the scanner first.
    private func overview(today: Date?, _ viewer: Viewer) async throws -> (String, Any) {
        let day = Day.start(of: today ?? self.day ?? inventory.environment.now())
        let summaries = try await inventory.overview(today: day).filter { summary in
            viewer.user.warehouse.map { $0 == summary.warehouse } ?? true
        }
        var total = StockPosition()
        var value = Money.zero
        var attention = WarehouseSummary.Attention()
        for summary in summaries {
            total.onHand += summary.position.onHand
            total.reserved += summary.position.reserved
            total.blocked += summary.position.blocked
            total.inTransit += summary.position.inTransit
            total.incoming += summary.position.incoming
            value += summary.position.value
            attention.add(summary.attention)
        }
        let role = viewer.user.role
        var links: [[String: String]] = []
        if role.allows(.post(.receive)) || role.allows(.post(.count)) {
            links.append(["href": "/scan/", "label": "Open the scanner"])
        }
        if role.allows(.post(.purchaseOrder)) || role.allows(.post(.salesOrder)) {
            links.append(["href": "/orders", "label": "Orders"])
        }
        if role.allows(.readAccounting) { links.append(["href": "/finance", "label": "Finance"]) }
        if role.allows(.readAudit) { links.append(["href": "/audit", "label": "Audit"]) }
        let count = { (number: Int) in number == 0 ? nil : "\(number)" }
        return (
            "overview",
            present([
                "title": "Overview", "overview": true, "liveAfter": "\(try await inventory.latestEventSequence())",
                "scope": viewer.user.warehouse, "shortcuts": links.isEmpty ? nil : ["links": links],
                "totals": Self.buckets(total).merging(["value": Self.money(value)]) { _, new in new },
                "attention": present([
                    "today": Day.text(day), "overdue": "\(attention.overdueLines)",
                    "backorders": "\(attention.backorderLines)", "shortfalls": "\(attention.shortfallLines)",
                    "negative": "\(attention.negativeItems)", "overdueHot": attention.overdueLines > 0 ? true : nil,
                    "backordersHot": attention.backorderLines > 0 ? true : nil,
                    "shortfallsHot": attention.shortfallLines > 0 ? true : nil,
                    "negativeHot": attention.negativeItems > 0 ? true : nil,
                ]),
                "warehouses": summaries.map { summary in
                    let flags = [
                        count(summary.attention.overdueLines).map { "\($0) overdue" },
                        count(summary.attention.backorderLines).map { "\($0) backordered" },
                        count(summary.attention.shortfallLines).map { "\($0) short" },
                        count(summary.attention.negativeItems).map { "\($0) below zero" },
                    ].compactMap { $0 }
                    return Self.buckets(summary.position).merging(
                        present([
                            "company": summary.company, "warehouse": summary.warehouse, "kind": summary.kind.rawValue,
                            "items": "\(summary.items)", "value": Self.money(summary.position.value),
                            "flags": flags.isEmpty ? nil : flags.joined(separator: ", "),
                        ])
                    ) { _, new in new }
                },
            ])
        )
    }

    private func item(_ sku: String, at warehouse: String?, today: Date?, _ viewer: Viewer) async throws -> (
        String, Any
    ) {
        guard let item = try await inventory.item(sku: sku) else { throw StockError.unknownItem(sku: sku) }
        let catalog = try await inventory.catalog()
        let codes = catalog.warehouses.values.map(\.code).sorted()
        var positions: [[String: Any]] = []
        for code in codes {
            let position = try await inventory.position(sku: sku, at: code)
            guard
                position.onHand.isPositive || position.incoming.isPositive || position.outgoing.isPositive
                    || position.inTransit.isPositive
            else { continue }
            positions.append(
                Self.buckets(position).merging([
                    "sku": sku, "warehouse": code, "value": Self.money(position.value),
                    "unitCost": Self.money(position.unitCost),
                ]) { _, new in new })
        }
        let shown = warehouse ?? positions.first?["warehouse"] as? String ?? codes.first
        var timeline: [String: Any]?
        if let shown {
            let projected = try await inventory.timeline(sku: sku, at: shown, today: today ?? day)
            timeline = [
                "warehouse": shown, "chart": TimelineChart.svg(projected),
                "entries": projected.entries.map { entry in
                    present([
                        "date": Day.text(entry.date), "late": entry.late.map(Day.text),
                        "quantity": entry.quantity.description, "kind": entry.kind.rawValue,
                        "document": entry.document,
                    ])
                },
            ]
        }
        let moves = try await inventory.moves(sku: sku, limit: 20).map { move -> [String: Any] in
            [
                "date": Day.text(move.doneAt ?? move.plannedAt), "kind": move.kind.rawValue,
                "state": move.state.rawValue, "quantity": move.quantity.description,
                "from": catalog.locations[move.fromID]?.path ?? "?", "to": catalog.locations[move.toID]?.path ?? "?",
                "reference": move.reference ?? "",
            ]
        }
        let detail = try await inventory.itemDetail(sku: sku)
        return (
            "item",
            present([
                "title": sku, "sku": sku, "name": item.name, "unit": item.unit.name, "tracking": item.tracking.rawValue,
                "lifecycle": item.lifecycle.rawValue, "positions": positions,
                "successors": detail.successors.isEmpty
                    ? nil
                    : [
                        "chain": detail.successors.enumerated().map { index, sku in
                            present(["sku": sku, "then": index < detail.successors.count - 1 ? true : nil])
                        }
                    ],
                "stock": detail.stock.isEmpty
                    ? nil
                    : [
                        "rows": detail.stock.map { row in
                            present([
                                "location": row.location, "lot": row.lot, "expiry": row.expiry.map(Day.text),
                                "expired": row.expiry.map { $0 < inventory.environment.now() } == true ? true : nil,
                                "quantity": row.quantity.description, "reserved": row.reserved.description,
                            ])
                        }
                    ],
                "layers": detail.layers.isEmpty
                    ? nil
                    : [
                        "rows": detail.layers.map { layer in
                            [
                                "company": layer.company, "scope": layer.scope, "posting": "\(layer.posting)",
                                "kind": layer.kind.rawValue, "remaining": layer.remaining.description,
                                "unitCost": Self.money(layer.unitCost), "value": Self.money(layer.value),
                            ] as [String: Any]
                        }
                    ],
                "liveAfter": "\(try await inventory.latestEventSequence())",
                "receive": viewer.user.role.allows(.post(.receive))
                    ? [
                        "key": UUID().uuidString, "csrf": viewer.session.csrf,
                        "warehouses": codes.filter { viewer.user.warehouse == nil || viewer.user.warehouse == $0 }
                            .map { ["code": $0, "selected": $0 == shown] },
                    ] : nil,
                "timeline": timeline, "moves": moves,
            ])
        )
    }

    private func orders(today text: String?, _ viewer: Viewer) async throws -> (String, Any) {
        let today = text.flatMap(Day.parse) ?? day ?? inventory.environment.now()
        var kinds: [[String: Any]] = []
        for (kind, title) in [
            (Order.Kind.purchase, "Purchase orders"), (.sales, "Sales orders"), (.production, "Production orders"),
        ] {
            let orders = try await inventory.orders(kind: kind, limit: 50, today: today)
            kinds.append([
                "title": title, "id": "\(kind.rawValue)-orders",
                "orders": orders.map { order -> [String: Any] in
                    let lines = order.lines.filter { $0.required == nil }
                    var attention: [String] = []
                    if order.lines.contains(where: { $0.overdue == true }) { attention.append("overdue") }
                    if order.lines.contains(where: { ($0.backorder ?? .zero).isPositive }) {
                        attention.append("backorder")
                    }
                    if order.lines.contains(where: { ($0.shortfall ?? .zero).isPositive }) {
                        attention.append("shortfall")
                    }
                    return present([
                        "id": order.id, "status": order.status.rawValue, "partner": order.partner ?? "",
                        "warehouse": order.warehouse, "created": Day.text(Day.start(of: order.created)),
                        "due": order.due.map(Day.text) ?? "",
                        "open": lines.reduce(Fixed.zero) { $0 + $1.open }.description,
                        "attention": attention.isEmpty ? nil : attention.joined(separator: ", "),
                    ])
                },
            ])
        }
        return (
            "orders", ["title": "Orders", "ordersPage": true, "today": Day.text(Day.start(of: today)), "kinds": kinds]
        )
    }

    private func order(_ id: String, today text: String?, _ viewer: Viewer) async throws -> (String, Any) {
        let order = try await inventory.order(id: id, today: text.flatMap(Day.parse) ?? day)
        return (
            "order",
            present([
                "title": id, "ordersPage": true, "id": order.id, "kind": order.kind.rawValue.capitalized,
                "status": order.status.rawValue, "partner": order.partner, "warehouse": order.warehouse,
                "created": Day.text(Day.start(of: order.created)), "due": order.due.map(Day.text),
                "lines": order.lines.map { line -> [String: Any] in
                    [
                        "sku": line.sku, "ordered": line.ordered.description,
                        "done": (line.received ?? line.shipped ?? line.produced)?.description ?? "",
                        "open": line.open.description, "reserved": line.reserved?.description ?? "",
                        "backorder": line.backorder?.description ?? "", "shortfall": line.shortfall?.description ?? "",
                        "expected": line.expected.map(Day.text) ?? "", "overdue": line.overdue == true,
                    ]
                },
            ])
        )
    }

    /// The journal lines the finance page's filter form asks for.
    struct JournalQuery {
        var from: Date?
        var to: Date?
        var company: String?
        var account: String?
        var sku: String?
        var form: [String: String]

        init(_ parameters: some Sequence<(key: Substring, value: Substring)>) {
            var form: [String: String] = [:]
            for (key, value) in parameters where !value.isEmpty { form[String(key)] = String(value) }
            self.form = form
            from = form["from"].flatMap(Day.parse)
            to = form["to"].flatMap(Day.parse).map { Day.adding(1, to: $0) }
            company = form["company"]
            account = form["account"]
            sku = form["sku"]
        }

        var isFiltered: Bool { !form.isEmpty }
    }

    /// The stock accounts as `verify` reconciles them, balances and aging, and journal lines by the filter.
    private func finance(_ query: JournalQuery, _ viewer: Viewer) async throws -> (String, Any) {
        let (reconciliation, balances, aging) = try await finance.figures(inventory)
        var lines: [JournalExportLine]
        if query.isFiltered {
            lines = try await inventory.journal(from: query.from, to: query.to, company: query.company, limit: 5_000)
                .lines
        } else {
            // The newest 500 postings (orders and reservations book none).
            let newest = try await inventory.audit(AuditFilter(limit: 500)).map(\.posting).min() ?? 1
            lines = try await inventory.journal(afterPosting: newest - 1, limit: 1_000).lines
        }
        lines = lines.filter { line in
            (query.account.map { line.account == $0 } ?? true) && (query.sku.map { line.sku == $0 } ?? true)
        }
        let journal = lines.suffix(100).reversed()
        let companies = try await inventory.catalog().companies.values.map(\.code).sorted()
        return (
            "finance",
            [
                "title": "Finance", "financePage": true,
                "filter": present([
                    "from": query.form["from"], "to": query.form["to"], "account": query.account, "sku": query.sku,
                    "companies": companies.map { ["code": $0, "selected": $0 == query.company] },
                    "filtered": query.isFiltered ? true : nil,
                ]),
                "shown": "\(journal.count) of \(lines.count)",
                "accounts": reconciliation.map { company, account, row -> [String: Any] in
                    [
                        "company": company, "account": account, "role": row.role.rawValue,
                        "layered": Self.money(row.layered), "booked": Self.money(row.booked),
                        "held": Self.money(row.held), "agrees": row.layered == row.booked,
                    ]
                },
                "balances": balances.map { total -> [String: Any] in
                    [
                        "company": total.company, "account": total.account, "role": total.role.rawValue,
                        "balance": Self.money(total.balance),
                    ]
                },
                "aging": aging.map { bucket -> [String: Any] in
                    [
                        "company": bucket.company, "age": bucket.age, "quantity": bucket.quantity.description,
                        "value": Self.money(bucket.value),
                    ]
                },
                "journal": journal.map { line -> [String: Any] in
                    [
                        "date": Day.text(Day.start(of: line.date)), "posting": line.posting, "kind": line.kind.rawValue,
                        "company": line.company, "account": line.account, "sku": line.sku,
                        "warehouse": line.warehouse ?? "", "debit": line.debit.isZero ? "" : Self.money(line.debit),
                        "credit": line.credit.isZero ? "" : Self.money(line.credit),
                    ]
                },
            ]
        )
    }

    /// The newest events of the changes feed (what webhooks and connected systems receive), newest first; the page
    /// follows the feed live.
    private func changes(type: String?, _ viewer: Viewer) async throws -> (String, Any) {
        let type = type.flatMap { $0.isEmpty ? nil : $0 }
        let latest = try await inventory.latestEventSequence()
        var events: [LedgerEvent] = []
        var cursor = max(0, latest - 500)
        while cursor < latest {
            let page = try await inventory.events(after: cursor, limit: 500)
            guard let last = page.last else { break }
            events += page.filter { type == nil || $0.type == type }
            cursor = last.sequence
        }
        let time = ISO8601DateFormatter()
        return (
            "changes",
            present([
                "title": "Changes", "changesPage": true, "liveAfter": "\(latest)", "type": type,
                "types": Set(events.map(\.type)).union([type].compactMap { $0 }).sorted().map {
                    ["name": $0, "selected": $0 == type]
                },
                "events": events.suffix(100).reversed().map { event in
                    [
                        "sequence": "\(event.sequence)", "at": time.string(from: event.at), "type": event.type,
                        "subject": event.subject,
                        "details": event.payload.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                            .joined(separator: " · "),
                    ]
                },
            ])
        )
    }

    /// The newest postings with who made them and from where, and the requests refused for who sent them.
    private func audit(actor: String?, _ viewer: Viewer) async throws -> (String, Any) {
        let actor = actor.flatMap { $0.isEmpty ? nil : $0 }
        let entries = try await inventory.audit(AuditFilter(actor: actor, limit: 100))
        let refusals = try await inventory.refusedAttempts(limit: 100).filter { actor == nil || $0.actor == actor }
        let formatter = ISO8601DateFormatter()
        let time = { (date: Date) in formatter.string(from: date) }
        return (
            "audit",
            present([
                "title": "Audit", "auditPage": true, "actor": actor,
                "entries": entries.map { entry in
                    present([
                        "at": time(entry.at), "posting": "\(entry.posting)", "kind": entry.kind.rawValue,
                        "sku": entry.sku, "actor": entry.actor, "source": entry.source, "key": entry.key,
                    ])
                },
                "refusals": refusals.map { attempt in
                    [
                        "at": time(attempt.at), "actor": attempt.actor, "source": attempt.source,
                        "action": attempt.action, "code": attempt.code, "detail": attempt.detail,
                    ]
                },
            ])
        )
    }

    /// One exact hit opens its page (an item, an order, the item of a lot or serial); a location lists what is
    /// stocked there; anything else lists what was found.
    private func search(_ query: String, _ viewer: Viewer) async throws -> (String, Any) {
        let hits = try await inventory.search(query)
        if hits.count == 1, let hit = hits.first {
            switch hit.kind {
            case .item, .lot: return try await item(hit.sku ?? "", at: nil, today: nil, viewer)
            case .order: return try await order(hit.reference ?? "", today: nil, viewer)
            case .location: break
            }
        }
        var rows: [[String: Any]] = []
        for hit in hits {
            switch hit.kind {
            case .item, .lot:
                rows.append([
                    "kind": hit.kind.rawValue, "href": "/items/\(hit.sku ?? "")", "label": hit.sku ?? "",
                    "text": hit.text,
                ])
            case .order:
                rows.append([
                    "kind": "order", "href": "/orders/\(hit.reference ?? "")", "label": hit.reference ?? "",
                    "text": hit.text,
                ])
            case .location:
                let path = hit.reference ?? ""
                let warehouse = String(path.split(separator: "/").first ?? "")
                for entry in try await inventory.warehouseStock(warehouse).items {
                    for quant in entry.quants where quant.location == path || quant.location.hasPrefix(path + "/") {
                        rows.append([
                            "kind": "stock", "href": "/items/\(entry.item.sku)?at=\(warehouse)",
                            "label": entry.item.sku,
                            "text": "\(quant.quantity) \(entry.item.unit.name) at \(quant.location)"
                                + (quant.lot.map { " (lot \($0))" } ?? ""),
                        ])
                    }
                }
            }
        }
        return ("search", present(["title": "Search", "query": query, "hits": rows.isEmpty ? nil : ["rows": rows]]))
    }

    // MARK: - Rendering

    private func html(_ template: String, _ context: Any, viewer: Viewer?, status: HTTPResponse.Status = .ok)
        -> Response
    {
        var values = context as? [String: Any] ?? [:]
        if let viewer {
            values["user"] = present([
                "name": viewer.user.name, "role": viewer.user.role.rawValue,
                "warehouse": viewer.user.warehouse, "csrf": viewer.session.csrf,
                "accounting": viewer.user.role.allows(.readAccounting) ? true : nil,
                "auditor": viewer.user.role.allows(.readAudit) ? true : nil,
            ])
        }
        let body = library.render(values, withTemplate: template) ?? "template \(template) is missing"
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
            .contentSecurityPolicy: "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
        ]
        if let nosniff = HTTPField.Name("X-Content-Type-Options") { headers[nosniff] = "nosniff" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// Refuses a request for who sent it, and keeps the attempt for the audit trail.
    private func denied(_ request: Request, code: String, _ detail: String, viewer: Viewer) async throws -> Response {
        try await inventory.recordRefusal(request, actor: viewer.user.name, source: "web", code: code, detail)
        return refused(detail, viewer: viewer, status: .forbidden)
    }

    /// The page that says what was refused and that nothing changed.
    private func refused(_ detail: String, viewer: Viewer, status: HTTPResponse.Status) -> Response {
        html("problem", ["title": "Refused", "heading": "Refused", "detail": detail], viewer: viewer, status: status)
    }

    /// A template's values without the absent ones: Mustache would print an optional as `nil` and take it as set.
    func present(_ values: [String: Any?]) -> [String: Any] { values.compactMapValues { $0 } }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    static func buckets(_ position: StockPosition) -> [String: Any] {
        [
            "onHand": position.onHand.description, "available": position.available.description,
            "reserved": position.reserved.description, "blocked": position.blocked.description,
            "inTransit": position.inTransit.description, "incoming": position.incoming.description,
            "outgoing": position.outgoing.description,
        ]
    }

    /// Money with thousands grouped: 1,141,580.15.
    static func money(_ value: Money) -> String {
        let text = value.formatted(places: 2)
        let negative = text.hasPrefix("-")
        let digits = negative ? String(text.dropFirst()) : text
        let whole = digits.split(separator: ".", maxSplits: 1).first.map(String.init) ?? digits
        let fraction = digits.dropFirst(whole.count)
        var grouped = ""
        for (index, character) in whole.reversed().enumerated() {
            if index > 0, index % 3 == 0 { grouped.append(",") }
            grouped.append(character)
        }
        return (negative ? "-" : "") + String(grouped.reversed()) + fraction
    }

    /// A path on this site to go on to after signing in; anything else (another host, `//x`) is dropped.
    static func localPath(_ path: String?) -> String? {
        guard let path, path.hasPrefix("/"), !path.hasPrefix("//"), !path.contains("\\") else { return nil }
        return path
    }

    static func cookie(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == name { return String(parts[1]) }
            }
        }
        return nil
    }

    /// An `application/x-www-form-urlencoded` body (at most 64 KiB).
    static func form(_ request: Request) async throws -> [String: String] {
        let body = try await request.body.collect(upTo: 64 * 1024)
        let text = String(buffer: body).replacingOccurrences(of: "+", with: "%20")
        var fields: [String: String] = [:]
        for item in URLComponents(string: "?" + text)?.queryItems ?? [] { fields[item.name] = item.value ?? "" }
        return fields
    }
}

/// The finance page's ledger-wide figures (they read every journal line and layer), computed again only when the
/// ledger, the chart of accounts or the day changed since the last view.
actor FinanceFigures {
    typealias Figures = (
        reconciliation: [(company: String, account: String, row: AccountReconciliation)],
        balances: [ValuationReport.AccountTotal], aging: [AgingReport.Bucket]
    )
    let balances: AccountBalances
    private var cached: (key: String, figures: Figures)?

    init(balances: AccountBalances) { self.balances = balances }

    func figures(_ inventory: Inventory) async throws -> Figures {
        let now = inventory.environment.now()
        let key =
            "\(try await inventory.latestEventSequence()) \(Day.text(Day.start(of: now))) "
            + (try await inventory.chartOfAccountsKey())
        if let cached, cached.key == key { return cached.figures }
        let figures = (
            try await inventory.reconciliation(), try await balances.current(),
            try await inventory.aging(at: now).buckets
        )
        cached = (key, figures)
        return figures
    }
}

/// Follows the outbox from a sequence number while a page is open: `data: <sequence>` per committed event, and a
/// comment every five seconds so a closed page is noticed.
struct LiveEvents: AsyncSequence, Sendable {
    typealias Element = String
    let inventory: Inventory
    let after: Int64

    func makeAsyncIterator() -> Iterator { Iterator(inventory: inventory, cursor: after) }

    struct Iterator: AsyncIteratorProtocol {
        let inventory: Inventory
        var cursor: Int64
        var quiet = 0

        mutating func next() async throws -> String? {
            while true {
                try Task.checkCancellation()
                if let event = try await inventory.events(after: cursor, limit: 1).first {
                    cursor = event.sequence
                    quiet = 0
                    return "data: \(event.sequence)\n\n"
                }
                quiet += 1
                if quiet >= 20 {
                    quiet = 0
                    return ": keep-alive\n\n"
                }
                try await Task.sleep(for: .milliseconds(250))
            }
        }
    }
}
