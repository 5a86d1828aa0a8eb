public import Foundation
import HTTPTypes
public import Hummingbird
public import Logging
import NIOCore
import OpenAPIHummingbird
import OpenAPIRuntime
public import Stockline
import StocklineAPI
import StocklineWeb

/// Where and how the HTTP server listens.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// How the webhook dispatcher the server runs polls and retries; nil runs none (another process delivers).
    public var webhooks: WebhookDispatcher.Configuration?
    /// The largest request body read, in bytes; a larger one is refused with 413 before it is parsed.
    public var bodyLimit: Int
    /// The day the web pages are read as when a page asks for none (a demo's last day); nil: today.
    public var webDay: Date?

    /// 4 MiB: a full batch of 1,000 operations is about 150 KB.
    public static let defaultBodyLimit = 4 * 1024 * 1024

    public init(
        host: String = "127.0.0.1", port: Int = 8080,
        webhooks: WebhookDispatcher.Configuration? = .init(), bodyLimit: Int = defaultBodyLimit, webDay: Date? = nil
    ) {
        self.webDay = webDay
        self.host = host
        self.port = port
        self.webhooks = webhooks
        self.bodyLimit = bodyLimit
    }
}

/// Assembles the HTTP application: the generated OpenAPI routes over one `Inventory`, with request ids, request
/// logging and problem documents for every refusal.
public func buildApplication(
    inventory: Inventory, configuration: ServerConfiguration, logger: Logger
) throws -> some ApplicationProtocol {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RequestLoggingMiddleware())
    router.add(middleware: RouteProblemMiddleware(contract: .bundled))
    router.add(middleware: AuthenticationMiddleware(inventory: inventory))
    let metrics = ServerMetrics()
    let api = APIImplementation(inventory: inventory, logger: logger, metrics: metrics)
    try api.registerHandlers(
        on: router, configuration: .init(jsonEncodingOptions: [.sortedKeys]),
        middlewares: [
            MetricsMiddleware(metrics: metrics), ProblemMiddleware(logger: logger),
            RequestValidationMiddleware(contract: .bundled, bodyLimit: configuration.bodyLimit),
            PostingShortcut(api: api),
        ])
    try WebApp(inventory: inventory, day: configuration.webDay).register(on: router)
    let webhooks = configuration.webhooks.map { settings in
        var dispatcher = WebhookDispatcher(inventory: inventory, configuration: settings, logger: logger)
        dispatcher.metrics = metrics
        return dispatcher
    }
    return Application(
        router: router, server: .http1(configuration: .init(additionalChannelHandlers: [ParserErrorProblemHandler()])),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "stockline"),
        services: webhooks.map { [$0] } ?? [],
        logger: logger)
}

/// The per-request context: Hummingbird's core storage plus the request id every log line carries.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var requestID: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        requestID = UUID().uuidString.lowercased()
    }
}

/// Logs each request with its id, method, path, status and duration, and echoes the id in `X-Request-Id`.
struct RequestLoggingMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var context = context
        if let given = request.headers[.requestID], !given.isEmpty { context.requestID = given }
        var logger = context.logger
        logger[metadataKey: "request_id"] = .string(context.requestID)
        context.logger = logger
        let start = ContinuousClock.now
        do {
            var response = try await RequestIDLocal.$current.withValue(context.requestID) {
                try await next(request, context)
            }
            response.headers[.requestID] = context.requestID
            logger.info("\(request.method) \(request.uri.path) \(response.status.code) \(ContinuousClock.now - start)")
            return response
        } catch {
            logger.info("\(request.method) \(request.uri.path) failed: \(error)")
            throw error
        }
    }
}

/// Answers what the router itself refuses with a problem document: a path the API does not have (404), a method
/// the path does not take (405, with `Allow`), and any other protocol error Hummingbird raises.
struct RouteProblemMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let contract: APIContract

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            var headers = HTTPFields()
            let problem: Problem
            let methods = contract.methods(forPath: request.uri.path)
            if error.status == .notFound, methods.isEmpty {
                problem = .notFound("the API has no \(request.uri.path); its routes are listed at /openapi.yaml")
            } else if error.status == .notFound {
                headers[.allow] = methods.joined(separator: ", ")
                problem = Problem(
                    status: 405, code: "method_not_allowed",
                    detail: "\(request.uri.path) takes \(methods.joined(separator: ", ")), not \(request.method)")
            } else {
                problem = Problem(
                    status: Int(error.status.code), code: "bad_request", detail: error.body ?? error.status.reasonPhrase
                )
            }
            headers[.contentType] = "application/problem+json"
            return Response(
                status: .init(code: problem.status), headers: headers,
                body: .init(byteBuffer: ByteBuffer(bytes: problem.json)))
        }
    }
}

/// The id of the request being served, for handlers that record it (audit, logs).
enum RequestIDLocal {
    @TaskLocal static var current: String?
}

extension HTTPField.Name {
    /// Correlates a request across logs, the audit trail and the caller.
    static var requestID: Self { Self("X-Request-Id") ?? .via }
}
