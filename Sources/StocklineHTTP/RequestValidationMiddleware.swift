import Foundation
import HTTPTypes
import OpenAPIRuntime
import Stockline

/// Holds every request to the letter of the API before a handler sees it: parameters within the document's limits,
/// a JSON body sent as `application/json`, in UTF-8, strictly well-formed, within the body limit and within the
/// limits of its schema. What fails is answered with a problem document; nothing reaches the ledger.
/// The request body as the validation middleware parsed it, so a handler reads an operation from it instead of
/// writing the generated body back as JSON and parsing that again.
enum ParsedBody {
    @TaskLocal static var current: DocumentValue?

    /// The field `name` of an object.
    static func field(_ name: String, of value: DocumentValue?) -> DocumentValue? {
        value?.object?.first { $0.0 == name }?.1
    }
}

struct RequestValidationMiddleware: ServerMiddleware {
    let contract: APIContract
    let bodyLimit: Int

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard let operation = contract.operations[operationID] else { return try await next(request, body, metadata) }
        let query =
            operation.parameters.contains { $0.location == "query" }
            ? URLComponents(string: "http://host" + (request.path ?? ""))?.queryItems ?? [] : []
        for parameter in operation.parameters {
            let value: String?
            switch parameter.location {
            case "query": value = query.last { $0.name == parameter.name }?.value
            case "header": value = HTTPField.Name(parameter.name).flatMap { request.headerFields[$0] }
            case "path": value = metadata.pathParameters[parameter.name].map(String.init)
            default: value = nil
            }
            guard let value else { continue }
            try check(parameter: parameter, value: value)
        }
        guard let schema = operation.body else { return try await next(request, body, metadata) }
        let bytes = try await collect(body, request: request)
        let document: DocumentValue
        do {
            document = try DocumentValue.parseJSON(bytes: bytes)
            try contract.check(document, against: schema, path: "")
        } catch {
            throw Problem(
                status: 400, code: "validation_failed", detail: error.description,
                field: error.path.isEmpty ? nil : error.path)
        }
        return try await ParsedBody.$current.withValue(document) {
            try await next(request, HTTPBody(bytes), metadata)
        }
    }

    private func check(parameter: APIContract.Parameter, value: String) throws {
        let schema = contract.schema(parameter.schema)
        let refuse = { (reason: String) in
            Problem(
                status: 400, code: "validation_failed", detail: "\(parameter.name): \(reason)", field: parameter.name)
        }
        if schema.type == "integer" {
            guard let number = Int64(value) else { throw refuse("'\(value)' is not a whole number") }
            if let minimum = schema.minimum, Double(number) < minimum {
                throw refuse("must be at least \(APIContract.format(minimum)), not \(number)")
            }
            if let maximum = schema.maximum, Double(number) > maximum {
                throw refuse("must be at most \(APIContract.format(maximum)), not \(number)")
            }
            return
        }
        do {
            try contract.check(.string(value), against: schema, path: parameter.name)
        } catch {
            throw refuse(error.reason)
        }
    }

    /// The body's bytes, refused unless it is JSON in UTF-8 and within the limit.
    private func collect(_ body: HTTPBody?, request: HTTPRequest) async throws -> [UInt8] {
        guard let contentType = request.headerFields[.contentType] else {
            throw Problem(
                status: 415, code: "unsupported_media_type", detail: "send the body as application/json (UTF-8)")
        }
        let parts = contentType.lowercased().split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        let charset = parts.dropFirst().first { $0.hasPrefix("charset=") }.map { $0.dropFirst(8) }
        guard parts.first == "application/json", charset == nil || charset == "utf-8" || charset == "\"utf-8\"" else {
            throw Problem(
                status: 415, code: "unsupported_media_type",
                detail: "\(contentType) is not accepted; send the body as application/json (UTF-8)")
        }
        guard let body else {
            throw Problem(status: 400, code: "validation_failed", detail: "the request needs a body")
        }
        if case .known(let length) = body.length, length > bodyLimit { throw tooLarge() }
        var bytes: [UInt8] = []
        for try await chunk in body {
            guard bytes.count + chunk.count <= bodyLimit else { throw tooLarge() }
            bytes += chunk
        }
        // A NUL byte or a byte order mark: UTF-16 or UTF-32, which JSON over HTTP must not be (RFC 8259).
        if bytes.contains(0) || bytes.starts(with: [0xEF, 0xBB, 0xBF]) || bytes.starts(with: [0xFF, 0xFE])
            || bytes.starts(with: [0xFE, 0xFF])
        {
            throw Problem(
                status: 415, code: "unsupported_media_type", detail: "the body is not UTF-8 JSON; send it as UTF-8")
        }
        return bytes
    }

    private func tooLarge() -> Problem {
        Problem(
            status: 413, code: "payload_too_large",
            detail: "the body is larger than \(bodyLimit) bytes; send fewer lines per request (at most 1,000 a batch)")
    }
}
