import Foundation
import OpenAPIRuntime
import Stockline
import StocklineAPI
import StocklineCore

extension APIImplementation {
    func listTokens(_ input: Operations.ListTokens.Input) async throws -> Operations.ListTokens.Output {
        try authorize(.manageTokens)
        return .ok(.init(body: .json(try await inventory.tokens().map { Self.schema($0, secret: nil) })))
    }

    func createToken(_ input: Operations.CreateToken.Input) async throws -> Operations.CreateToken.Output {
        try authorize(.manageTokens)
        guard case .json(let new) = input.body else {
            throw Problem(status: 415, code: "validation_failed", detail: "send application/json")
        }
        guard let role = Role(rawValue: new.role.rawValue) else {
            throw StockError.validationFailed(field: "role", reason: "unknown role")
        }
        let (token, secret) = try await Tokens.create(
            in: inventory, role: role, warehouse: new.warehouse, name: new.name)
        return .created(.init(body: .json(Self.schema(token, secret: secret))))
    }

    func listAudit(_ input: Operations.ListAudit.Input) async throws -> Operations.ListAudit.Output {
        try authorize(.readAudit)
        let entries = try await inventory.audit(
            AuditFilter(
                sku: input.query.sku, actor: input.query.actor, from: input.query.from, to: input.query.to,
                limit: input.query.limit ?? 100))
        return .ok(
            .init(
                body: .json(
                    entries.map { entry in
                        .init(
                            posting: Int(entry.posting), key: entry.key, kind: entry.kind.rawValue, sku: entry.sku,
                            actor: entry.actor,
                            token: entry.token, source: entry.source, reason: entry.reason, reference: entry.reference,
                            requestId: entry.requestID, at: entry.at.iso8601)
                    })))
    }

    static func schema(_ token: APIToken, secret: String?) -> Components.Schemas.Token {
        .init(
            name: token.name, role: .init(rawValue: token.role.rawValue) ?? .auditor, warehouse: token.warehouse,
            createdAt: token.createdAt.iso8601, token: secret)
    }
}
