import Foundation
import OpenAPIRuntime
import Stockline
import StocklineAPI
import StocklineCore

extension APIImplementation {
    func post(_ input: Operations.Post.Input) async throws -> Operations.Post.Output {
        guard case .json = input.body, let document = ParsedBody.current else {
            throw Problem(status: 415, code: "validation_failed", detail: "send application/json")
        }
        let result = try await post(
            document, key: input.headers.idempotencyKey, effective: input.headers.effectiveTime)
        return .created(.init(body: .json(Self.schema(result))))
    }

    /// Posts the one operation of a request body, as the caller; a refusal is thrown.
    func post(_ document: DocumentValue, key: String?, effective: String?) async throws -> PostingResult {
        let operation = try Self.operation(document, at: "")
        try await authorizePosting(operation)
        let outcome = try await inventory.attempt(
            operation, key: key, actor: Caller.current?.token.name ?? "api", source: "http",
            token: Caller.current?.token.name, requestID: RequestIDLocal.current,
            effective: try Self.day(effective, "Effective-Time"))
        metrics.recordPosting(
            kind: operation.kind.rawValue, outcome: (try? outcome.get()) != nil ? "posted" : "refused")
        return try outcome.get()
    }

    func postBatch(_ input: Operations.PostBatch.Input) async throws -> Operations.PostBatch.Output {
        guard case .json(let batch) = input.body else {
            throw Problem(status: 415, code: "validation_failed", detail: "send application/json")
        }
        let atomic = batch.atomic ?? true
        let now = try Self.day(input.headers.effectiveTime, "Effective-Time") ?? inventory.environment.now()
        let batchKey = input.headers.idempotencyKey ?? inventory.environment.newKey()
        var requests: [PostingRequest] = []
        let parsed: [DocumentValue]? =
            if case .array(let lines) = ParsedBody.field("operations", of: ParsedBody.current),
                lines.count == batch.operations.count
            {
                lines
            } else {
                nil
            }
        for (index, line) in batch.operations.enumerated() {
            let path = "operations[\(index)]"
            let operation =
                try ParsedBody.field("operation", of: parsed?[index]).map { try Self.operation($0, at: path) }
                ?? Self.operation(line.operation, at: path)
            try await authorizePosting(operation)
            requests.append(
                PostingRequest(
                    key: line.key ?? "\(batchKey)#\(index + 1)", operation: operation,
                    actor: Caller.current?.token.name ?? "api",
                    source: "http", now: now, token: Caller.current?.token.name, requestID: RequestIDLocal.current))
        }
        let results = atomic ? try await inventory.postAtomically(requests) : try await inventory.postBatch(requests)
        let applied = !atomic || results.allSatisfy { if case .success = $0 { true } else { false } }
        var lines: [Components.Schemas.BatchResult] = results.map { result in
            switch result {
            case .success(let posting):
                return applied ? .init(status: .ok, result: Self.schema(posting)) : .init(status: .notApplied)
            case .failure(let error):
                return .init(status: .error, problem: Self.schema(Problem(error)))
            }
        }
        lines += Array(repeating: .init(status: .notApplied), count: requests.count - lines.count)
        return .ok(.init(body: .json(.init(atomic: atomic, applied: applied, results: lines))))
    }

    /// The generated body written back as JSON, read by the same strict decoder scenario files use.
    /// Checks the caller may post `operation`; only a warehouse-scoped token needs the warehouses it touches looked up.
    func authorizePosting(_ operation: StockOperation) async throws {
        let scoped = Caller.current?.token.warehouse != nil
        try authorize(
            .post(operation.kind), warehouses: scoped ? try await inventory.warehouses(touchedBy: operation) : [])
    }

    static func operation(_ body: Components.Schemas.Operation, at path: String) throws -> StockOperation {
        let data = try JSONEncoder().encode(body)
        return try operation(try JSONDecoder().decode(DocumentValue.self, from: data), at: path)
    }

    /// The operation of a body as sent: exactly one `{"kind": {fields}}`.
    static func operation(_ document: DocumentValue, at path: String) throws -> StockOperation {
        guard let fields = document.object, fields.count == 1, let (kind, value) = fields.first else {
            throw DocumentError(path: path, reason: "give exactly one operation, e.g. {\"receive\": {...}}")
        }
        return try StockOperation.decode(kind: kind, fields: value, at: path)
    }

    static func schema(_ result: PostingResult) -> Components.Schemas.PostingResult {
        .init(
            posting: Int(result.postingID), key: result.key, kind: result.kind.rawValue,
            moves: result.moveIDs.map { Int($0.rawValue) }, quantity: result.quantity.double, value: result.value.double
        )
    }

    static func schema(_ problem: Problem) -> Components.Schemas.Problem {
        .init(
            _type: problem.type, title: problem.title, status: problem.status, code: problem.code,
            detail: problem.detail,
            field: problem.field, current: problem.current)
    }
}
