import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime
import Stockline
import StocklineCore

/// An RFC 9457 problem document: every refusal of the API has this shape and a stable `code`.
struct Problem: Error, Encodable {
    var type: String
    var title: String
    var status: Int
    var code: String
    var detail: String
    var field: String?
    var current: Double?

    init(status: Int, code: String, detail: String, field: String? = nil, current: Double? = nil) {
        self.type = "https://stockline.dev/problems/\(code)"
        self.title = code.replacingOccurrences(of: "_", with: " ").capitalized
        self.status = status
        self.code = code
        self.detail = detail
        self.field = field
        self.current = current
    }

    static func notFound(_ detail: String) -> Problem { Problem(status: 404, code: "not_found", detail: detail) }

    /// The problem for any error a handler or the request decoding raised.
    init(_ error: any Error) {
        let error = (error as? ServerError)?.underlyingError ?? error
        switch error {
        case let problem as Problem:
            self = problem
        case let stock as StockError:
            self = Problem(stock)
        case let document as DocumentError:
            self = Problem(status: 400, code: "validation_failed", detail: document.description, field: document.path)
        case is DecodingError:
            self = Problem(
                status: 400, code: "validation_failed", detail: "the request does not match the API: \(error)")
        default:
            if String(describing: Swift.type(of: error)).contains("RuntimeError") {
                self = Problem(
                    status: 400, code: "validation_failed", detail: "the request does not match the API: \(error)")
            } else {
                self = Problem(
                    status: 500, code: "internal_error", detail: "an unexpected error; the request id is in the logs")
            }
        }
    }

    init(_ error: StockError) {
        let status: Int
        var field: String?
        var current: Double?
        switch error {
        case .insufficientStock, .duplicateSerial, .obsoleteItem, .invalidState, .unvaluedMove, .duplicate: status = 409
        case .staleQuantity(_, _, let quantity, _):
            status = 409
            current = Double(quantity.micros) / Double(Fixed.one)
        case .unknownItem, .noBOM:
            status = 422
            field = "sku"
        case .unknownLocation, .unknownWarehouse: status = 422
        case .unknownCompany:
            status = 422
            field = "company"
        case .unknownOrder:
            status = 422
            field = "order"
        case .unknownPartner(_, let role):
            status = 422
            field = role.rawValue
        case .validationFailed(let name, _):
            status = 422
            field = name
        case .invalidQuantity, .uomMismatch, .lotRequired, .serialRequired, .serialQuantity, .idempotencyKeyReused:
            status = 422
        }
        self.init(status: status, code: error.code, detail: error.description, field: field, current: current)
    }

    var json: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)) ?? Data()
    }

    var response: (HTTPResponse, HTTPBody) {
        var response = HTTPResponse(status: .init(code: status))
        response.headerFields[.contentType] = "application/problem+json"
        return (response, HTTPBody(json))
    }
}

/// Turns every error into a problem document, so no caller ever sees a bare 500 for bad input.
struct ProblemMiddleware: ServerMiddleware {
    let logger: Logger

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        do {
            return try await next(request, body, metadata)
        } catch {
            let problem = Problem(error)
            if problem.status >= 500 {
                // The underlying error only: the runtime's own description would print the request's headers,
                // the bearer token among them.
                let cause = (error as? ServerError)?.underlyingError ?? error
                logger.error(
                    "\(operationID) failed: \(String(reflecting: cause))",
                    metadata: ["request_id": .string(RequestIDLocal.current ?? "")])
            }
            return problem.response
        }
    }
}
