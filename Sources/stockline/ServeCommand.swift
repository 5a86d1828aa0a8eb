import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Stockline
import StocklineHTTP
import UnixSignals

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the HTTP API v1 (OpenAPI document at /openapi.yaml).")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port to listen on.") var port = 8080
    @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel = "info"
    @Option(help: "The largest request body accepted, in KiB; larger ones are refused with 413.")
    var bodyLimitKb = ServerConfiguration.defaultBodyLimit / 1024
    @Option(help: "Memory for the item books kept between postings, in MiB (0: load every book from the database).")
    var bookCacheMb = BookCache.defaultMegabytes

    func run() async throws {
        let inventory = try await Inventory.open(path: database.path, bookCacheMegabytes: bookCacheMb)
        try await serve(inventory, host: host, port: port, logLevel: logLevel, bodyLimit: bodyLimitKb * 1024)
    }
}

/// Runs the HTTP server until SIGINT or SIGTERM, then shuts down gracefully: requests in flight get 10 seconds to
/// finish, then the server is cancelled and given 5 more; a transaction in progress either commits or rolls back.
func serve(
    _ inventory: Inventory, host: String, port: Int, logLevel: String, bodyLimit: Int, webDay: Date? = nil
) async throws {
    var logger = Logger(label: "stockline")
    logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
    let app = try buildApplication(
        inventory: inventory, configuration: .init(host: host, port: port, bodyLimit: bodyLimit, webDay: webDay),
        logger: logger)
    print("Stockline serving http://\(host):\(port)  (API under /v1, OpenAPI at /openapi.yaml)")
    var configuration = ServiceGroupConfiguration(
        services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    configuration.maximumGracefulShutdownDuration = .seconds(10)
    configuration.maximumCancellationDuration = .seconds(5)
    try await ServiceGroup(configuration: configuration).run()
}
