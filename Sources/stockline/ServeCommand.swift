import ArgumentParser
import Hummingbird
import Logging
import Stockline
import StocklineHTTP

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the HTTP API v1 (OpenAPI document at /openapi.yaml).")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port to listen on.") var port = 8080
    @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel = "info"

    func run() async throws {
        let inventory = try await Inventory.open(path: database.path)
        try await serve(inventory, host: host, port: port, logLevel: logLevel)
    }
}

/// Runs the HTTP server until SIGINT or SIGTERM, then shuts down gracefully.
func serve(_ inventory: Inventory, host: String, port: Int, logLevel: String) async throws {
    var logger = Logger(label: "stockline")
    logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
    let app = try buildApplication(inventory: inventory, configuration: .init(host: host, port: port), logger: logger)
    print("Stockline serving http://\(host):\(port)  (API under /v1, OpenAPI at /openapi.yaml)")
    try await app.runService()
}
