import HTTPTypes
import OpenAPIRuntime
import Prometheus
import Stockline
import StocklineAPI

/// The server's Prometheus metrics: one registry per application, exposed at `/metrics`.
struct ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()

    static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
    ]

    func recordRequest(operation: String, status: Int, duration: Duration) {
        let labels = [("operation", operation), ("status", String(status))]
        registry.makeCounter(name: "stockline_http_requests_total", labels: labels).increment()
        registry.makeDurationHistogram(
            descriptor: .init(metricName: "stockline_http_request_duration_seconds"), labels: [("operation", operation)],
            buckets: Self.latencyBuckets
        ).record(duration)
    }

    func recordPosting(kind: String, outcome: String) {
        registry.makeCounter(name: "stockline_postings_total", labels: [("kind", kind), ("outcome", outcome)]).increment()
    }

    func recordWebhookFailure(parked: Bool) {
        registry.makeCounter(name: "stockline_webhook_failures_total", labels: [("outcome", parked ? "parked" : "retried")])
            .increment()
    }

    func recordOutbox(latest: Int64) {
        registry.makeGauge(name: "stockline_outbox_latest_sequence").set(Double(latest))
    }
}

/// Counts every request by operation and status, and times it.
struct MetricsMiddleware: ServerMiddleware {
    let metrics: ServerMetrics

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let start = ContinuousClock.now
        let (response, responseBody) = try await next(request, body, metadata)
        metrics.recordRequest(operation: operationID, status: response.status.code, duration: ContinuousClock.now - start)
        return (response, responseBody)
    }
}

extension APIImplementation {
    func getMetrics(_ input: Operations.GetMetrics.Input) async throws -> Operations.GetMetrics.Output {
        metrics.recordOutbox(latest: try await inventory.latestEventSequence())
        return .ok(.init(body: .plainText(HTTPBody(metrics.registry.emitToString()))))
    }
}
