import Foundation
import HTTPTypes
import OpenAPIRuntime
import Stockline
import StocklineCore

/// Answers `POST /v1/postings`, the API's busiest request, from the document the validation middleware parsed. The
/// generated server would decode the body into its `Operation` type and encode the answer with `JSONEncoder`; the
/// handler uses neither. What the generated server checks is checked here too, before anything is posted: the
/// `Accept` header, and header values read as the API's simple style (percent-decoded).
struct PostingShortcut: ServerMiddleware {
    let api: APIImplementation

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard operationID == "post", let document = ParsedBody.current else {
            return try await next(request, body, metadata)
        }
        if let accept = request.headerFields[.accept], !Self.acceptsJSON(accept) {
            throw Problem(
                status: 400, code: "validation_failed",
                detail: "a posting is answered in application/json; the Accept header asks for \(accept)")
        }
        let result = try await api.post(
            document, key: Self.header("Idempotency-Key", of: request),
            effective: Self.header("Effective-Time", of: request))
        var response = HTTPResponse(status: .created)
        response.headerFields[.contentType] = "application/json; charset=utf-8"
        return (response, HTTPBody(Self.json(result)))
    }

    /// `{"key":…,"kind":…,"moves":[…],"posting":…,"quantity":…,"value":…}`: the `PostingResult` schema, its
    /// numbers with their exact digits.
    static func json(_ result: PostingResult) -> String {
        var text = "{\"key\":"
        text.reserveCapacity(result.key.utf8.count + 100)
        JSONText.quote(result.key, to: &text)
        text += ",\"kind\":"
        JSONText.quote(result.kind.rawValue, to: &text)
        text += ",\"moves\":[" + result.moveIDs.map { String($0.rawValue) }.joined(separator: ",") + "]"
        text += ",\"posting\":" + String(result.postingID)
        text += ",\"quantity\":" + result.quantity.description
        text += ",\"value\":" + result.value.description + "}"
        return text
    }

    /// Whether an `Accept` header lets the answer be JSON; an empty one asks for nothing in particular.
    static func acceptsJSON(_ accept: String) -> Bool {
        guard !accept.trimmingCharacters(in: .whitespaces).isEmpty else { return true }
        return accept.split(separator: ",").contains { range in
            let type = range.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
            return type == "application/json" || type == "application/*" || type == "*/*"
        }
    }

    private static func header(_ name: String, of request: HTTPRequest) -> String? {
        guard let field = HTTPField.Name(name), let value = request.headerFields[field] else { return nil }
        return value.removingPercentEncoding ?? ""
    }
}
