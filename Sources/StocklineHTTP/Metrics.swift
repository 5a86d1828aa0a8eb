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

    static var requests: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "stockline", metricName: "http_requests", unitName: "total",
            helpText: "HTTP requests by operation and status")
    }
    static var latency: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "stockline", metricName: "http_request_duration", unitName: "seconds",
            helpText: "HTTP request latency")
    }
    static var postings: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "stockline", metricName: "postings", unitName: "total",
            helpText: "Postings by kind, posted or refused")
    }
    static var webhookFailures: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "stockline", metricName: "webhook_failures", unitName: "total",
            helpText: "Failed webhook deliveries, retried or parked as dead letters")
    }
    static var outbox: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "stockline", metricName: "outbox_latest", unitName: "sequence",
            helpText: "The newest committed event's sequence number")
    }

    func recordRequest(operation: String, status: Int, duration: Duration) {
        registry.makeCounter(descriptor: Self.requests, labels: [("operation", operation), ("status", String(status))])
            .increment()
        registry.makeDurationHistogram(
            descriptor: Self.latency, labels: [("operation", operation)], buckets: Self.latencyBuckets
        )
        .record(duration)
    }

    func recordPosting(kind: String, outcome: String) {
        registry.makeCounter(descriptor: Self.postings, labels: [("kind", kind), ("outcome", outcome)]).increment()
    }

    func recordWebhookFailure(parked: Bool) {
        registry.makeCounter(descriptor: Self.webhookFailures, labels: [("outcome", parked ? "parked" : "retried")])
            .increment()
    }

    func recordOutbox(latest: Int64) {
        registry.makeGauge(descriptor: Self.outbox).set(Double(latest))
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
        metrics.recordRequest(
            operation: operationID, status: response.status.code, duration: ContinuousClock.now - start)
        return (response, responseBody)
    }
}

extension APIImplementation {
    func getMetrics(_ input: Operations.GetMetrics.Input) async throws -> Operations.GetMetrics.Output {
        metrics.recordOutbox(latest: try await inventory.latestEventSequence())
        return .ok(.init(body: .plainText(HTTPBody(metrics.registry.emitToString()))))
    }
}
