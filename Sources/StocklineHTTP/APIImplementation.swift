import Foundation
import Logging
import OpenAPIRuntime
import Stockline
import StocklineAPI
import StocklineCore

/// The handlers of the generated API; each area lives in its own extension file. None computes stock itself:
/// every answer comes from the `Inventory` service.
struct APIImplementation: APIProtocol {
    let inventory: Inventory
    let logger: Logger
    let metrics: ServerMetrics

    func getHealth(_ input: Operations.GetHealth.Input) async throws -> Operations.GetHealth.Output {
        .ok(.init(body: .plainText(HTTPBody("ok"))))
    }

    func getReadiness(_ input: Operations.GetReadiness.Input) async throws -> Operations.GetReadiness.Output {
        do {
            _ = try await inventory.counts()
            return .ok(.init(body: .plainText(HTTPBody("ready"))))
        } catch {
            return .serviceUnavailable(
                .init(body: .plainText(HTTPBody("the ledger database does not answer: \(error)"))))
        }
    }

    func getOpenAPI(_ input: Operations.GetOpenAPI.Input) async throws -> Operations.GetOpenAPI.Output {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml", subdirectory: "Resources"),
            let document = try? String(contentsOf: url, encoding: .utf8)
        else {
            throw Problem.notFound("the OpenAPI document is not bundled with this build")
        }
        return .ok(.init(body: .yaml(HTTPBody(document))))
    }
}

extension Fixed {
    /// For JSON numbers in responses; the ledger itself never computes in `Double`.
    var double: Double { Double(micros) / Double(Fixed.one) }

    /// A JSON number from a request, refused when it is not a finite amount the ledger can hold.
    init(_ double: Double) throws {
        guard double.isFinite, Swift.abs(double) <= 9_000_000_000_000 else {
            throw StockError.validationFailed(field: "number", reason: "\(double) is not an amount the ledger can hold")
        }
        self.init(micros: Int64((double * Double(Fixed.one)).rounded()))
    }
}

extension Date {
    var iso8601: String { ISO8601DateFormatter().string(from: self) }
}
