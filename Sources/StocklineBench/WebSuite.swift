import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Stockline
import StocklineCore
import StocklineDemo
import StocklineHTTP

/// `web`: the server time of each web page on the demo world (``BenchSizes/demo``), signed in, one request at a
/// time through the server started in this process: the time from request to the last byte of the page.
enum WebSuite {
    static func run(_ context: BenchContext) async throws -> [BenchResult] {
        let sizes = context.sizes
        return try await context.store.withLedger { ledger in
            let inventory = ledger.inventory
            let scale = DemoScale(rawValue: sizes.demo) ?? .small
            context.progress("web: building the \(scale.rawValue) demo")
            let summary = try await buildDemoWorld(into: inventory, scale: scale) { context.progress("web: \($0)") }
            try await inventory.createUser(name: "bench", password: "bench-password-1", role: .admin)
            let port = try HTTPPostSuite.freePort()
            var logger = Logger(label: "stockline-bench")
            logger.logLevel = .critical
            let app = try buildApplication(
                inventory: inventory,
                configuration: ServerConfiguration(host: "127.0.0.1", port: port, webhooks: nil), logger: logger)
            var configuration = HTTPClient.Configuration()
            configuration.redirectConfiguration = .disallow
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            let base = "http://127.0.0.1:\(port)"
            do {
                let results = try await withThrowingTaskGroup(of: [BenchResult]?.self) { group in
                    group.addTask {
                        try await app.runService()
                        return nil
                    }
                    try await HTTPPostSuite.waitUntilReady(client, base: base)
                    let cookie = try await signIn(client, base: base)
                    let order = try await inventory.orders(kind: .purchase, limit: 1).first?.id ?? "none"
                    let sku = summary.examples.first?.sku ?? "none"
                    let warehouse =
                        try await inventory.overview().max { $0.items < $1.items }?.warehouse ?? "none"
                    let pages = [
                        ("web.overview", "/"), ("web.item", "/items/\(sku)?today=\(summary.lastDay)"),
                        ("web.orders", "/orders?today=\(summary.lastDay)"), ("web.order", "/orders/\(order)"),
                        ("web.finance", "/finance"), ("web.search", "/search?q=\(order)"), ("web.changes", "/changes"),
                        ("web.audit", "/audit"),
                        ("web.scan.catalog", "/scan/api/catalog?warehouse=\(warehouse)"),
                    ]
                    var results: [BenchResult] = []
                    for (name, path) in pages {
                        var latency = LatencyRecorder()
                        var bytes = 0
                        for _ in 0..<sizes.pageViews {
                            let begun = ContinuousClock.now
                            bytes = try await get(client, base + path, cookie: cookie)
                            latency.record(ContinuousClock.now - begun)
                        }
                        results.append(
                            BenchResult(
                                name: name, value: latency.percentile(50) ?? 0, unit: "ms p50", latency: latency,
                                note: "GET \(path) on the \(scale.rawValue) demo, \(bytes.formatted()) bytes"))
                    }
                    // The finance page after a posting: its ledger-wide figures are computed afresh.
                    var latency = LatencyRecorder()
                    for _ in 0..<sizes.pageViews {
                        try await inventory.post(
                            .receive(.init(sku: sku, qty: Fixed(1), at: warehouse, unitCost: Fixed(1))),
                            source: "bench")
                        let begun = ContinuousClock.now
                        _ = try await get(client, base + "/finance", cookie: cookie)
                        latency.record(ContinuousClock.now - begun)
                    }
                    results.append(
                        BenchResult(
                            name: "web.finance.changed", value: latency.percentile(50) ?? 0, unit: "ms p50",
                            latency: latency, note: "GET /finance after a receipt each time (no cached figures)"))
                    group.cancelAll()
                    return results
                }
                try await client.shutdown()
                return results ?? []
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
    }

    /// Signs in as `bench` through the sign-in form and returns the session cookie.
    static func signIn(_ client: HTTPClient, base: String) async throws -> String {
        let form = try await client.execute(HTTPClientRequest(url: base + "/login"), timeout: .seconds(10))
        let html = String(buffer: try await form.body.collect(upTo: 1 << 20))
        guard let login = form.headers["Set-Cookie"].first?.split(separator: ";").first,
            let csrf = html.range(of: #"name="csrf" value=""#).map({ html[$0.upperBound...].prefix { $0 != "\"" } })
        else { throw BenchFailure(suite: "web", reason: "the sign-in form has no token") }
        var request = HTTPClientRequest(url: base + "/login")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Cookie", value: String(login))
        request.body = .bytes(ByteBuffer(string: "csrf=\(csrf)&name=bench&password=bench-password-1"))
        let response = try await client.execute(request, timeout: .seconds(10))
        guard let session = response.headers["Set-Cookie"].first?.split(separator: ";").first else {
            throw BenchFailure(suite: "web", reason: "signing in gave no session (HTTP \(response.status.code))")
        }
        return String(session)
    }

    /// The page's size; anything but 200 fails the suite.
    static func get(_ client: HTTPClient, _ url: String, cookie: String) async throws -> Int {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Cookie", value: cookie)
        let response = try await client.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 16 << 20)
        guard response.status.code == 200 else {
            throw BenchFailure(suite: "web", reason: "GET \(url): HTTP \(response.status.code)")
        }
        return body.readableBytes
    }
}
