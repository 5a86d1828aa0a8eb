import Crypto
import Foundation
import Hummingbird
public import Stockline
public import StocklineCore

/// Who is calling: the token that authenticated the request.
struct Caller: Sendable {
    var token: APIToken

    @TaskLocal static var current: Caller?
}

/// Authenticates every `/v1` request by its bearer token; health, readiness and the OpenAPI document stay open.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let inventory: Inventory

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard request.uri.path.hasPrefix("/v1") else { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            return Problem(
                status: 401, code: "unauthorized", detail: "send an API token as 'Authorization: Bearer <token>'"
            ).hummingbird
        }
        let secret = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard let token = try await inventory.token(hash: Tokens.hash(secret)) else {
            return Problem(status: 401, code: "unauthorized", detail: "the API token is not known").hummingbird
        }
        return try await Caller.$current.withValue(Caller(token: token)) { try await next(request, context) }
    }
}

/// Making and checking API tokens: random secrets, stored only as SHA-256.
public enum Tokens {
    /// A new secret: `stk_` and 32 random bytes, URL-safe base64.
    public static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let text = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(
                of: "=", with: "")
        return "stk_" + text
    }

    public static func hash(_ secret: String) -> String { Inventory.secretHash(secret) }

    /// Creates a token and returns its secret, which is not stored anywhere.
    public static func create(in inventory: Inventory, role: Role, warehouse: String?, name: String?) async throws -> (
        APIToken, String
    ) {
        if let warehouse, try await inventory.catalog().warehouse(code: warehouse) == nil {
            throw StockError.unknownLocation(warehouse)
        }
        let secret = newSecret()
        let token = try await inventory.addToken(
            name: name ?? "\(role.rawValue)-\(secret.suffix(6))", hash: hash(secret), role: role, warehouse: warehouse)
        return (token, secret)
    }
}

/// Checks the caller may do something, and for warehouse-scoped tokens, only in their warehouse.
func authorize(_ permission: Permission, warehouses: Set<String> = []) throws {
    guard let caller = Caller.current else {
        throw Problem(status: 401, code: "unauthorized", detail: "send an API token as 'Authorization: Bearer <token>'")
    }
    guard caller.token.role.allows(permission) else {
        throw Problem(
            status: 403, code: "forbidden", detail: "a \(caller.token.role.rawValue) token may not \(permission)")
    }
    if permission != .read, let scope = caller.token.warehouse, let other = warehouses.first(where: { $0 != scope }) {
        throw Problem(status: 403, code: "forbidden", detail: "this token may only write in \(scope), not in \(other)")
    }
    if permission != .read, caller.token.warehouse != nil, warehouses.isEmpty {
        throw Problem(
            status: 403, code: "forbidden",
            detail: "a warehouse-scoped token may only post operations inside its warehouse")
    }
}

extension Problem {
    var hummingbird: Response {
        let (head, _) = response
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(self)) ?? Data()
        return Response(
            status: .init(code: status),
            headers: [.contentType: head.headerFields[.contentType] ?? "application/problem+json"],
            body: .init(byteBuffer: .init(bytes: data)))
    }
}
