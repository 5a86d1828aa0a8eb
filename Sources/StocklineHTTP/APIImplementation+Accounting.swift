import Foundation
import OpenAPIRuntime
import Stockline
import StocklineAPI
import StocklineCore

extension APIImplementation {
    func listJournal(_ input: Operations.ListJournal.Input) async throws -> Operations.ListJournal.Output {
        try authorize(.readAccounting)
        let limit = input.query.limit ?? 100
        let page = try await inventory.journal(
            from: input.query.from, to: input.query.to, company: input.query.company,
            afterPosting: Int64(input.query.after ?? 0), limit: limit)
        let lines = page.lines.map { line in
            Components.Schemas.JournalLine(
                posting: line.posting, kind: line.kind.rawValue, date: line.date, company: line.company,
                account: line.account, role: Self.schema(line.role), sku: line.sku, warehouse: line.warehouse,
                debit: line.debit.double, credit: line.credit.double)
        }
        let postings = Set(page.lines.map(\.posting)).count
        let next = postings < limit ? nil : page.lastPosting.map { Int($0) }
        return .ok(.init(body: .json(.init(lines: lines, nextAfter: next))))
    }

    func getValuation(_ input: Operations.GetValuation.Input) async throws -> Operations.GetValuation.Output {
        try authorize(.readAccounting)
        let report = try await inventory.valuation(at: input.query.at ?? Date())
        let lines = input.query.lines == false ? [] : report.lines
        return .ok(
            .init(
                body: .json(
                    .init(
                        at: report.at,
                        lines: lines.map {
                            .init(
                                company: $0.company, warehouse: $0.warehouse, sku: $0.sku,
                                quantity: $0.quantity.double, value: $0.value.double)
                        },
                        accounts: report.accounts.map {
                            .init(
                                company: $0.company, account: $0.account, role: Self.schema($0.role),
                                balance: $0.balance.double)
                        }))))
    }

    func getAging(_ input: Operations.GetAging.Input) async throws -> Operations.GetAging.Output {
        try authorize(.readAccounting)
        let report = try await inventory.aging(at: input.query.at ?? Date())
        return .ok(
            .init(
                body: .json(
                    report.buckets.compactMap { bucket in
                        Components.Schemas.AgingBucket.AgePayload(rawValue: bucket.age).map {
                            .init(
                                company: bucket.company, age: $0, quantity: bucket.quantity.double,
                                value: bucket.value.double)
                        }
                    })))
    }

    func listAccounts(_ input: Operations.ListAccounts.Input) async throws -> Operations.ListAccounts.Output {
        try authorize(.readAccounting)
        return .ok(
            .init(
                body: .json(
                    try await inventory.accounts().map {
                        .init(
                            company: $0.company, category: $0.category, role: Self.schema($0.role), account: $0.account)
                    })))
    }

    func setAccount(_ input: Operations.SetAccount.Input) async throws -> Operations.SetAccount.Output {
        try authorize(.manageAccounts)
        guard case .json(let mapping) = input.body else {
            throw Problem(status: 415, code: "validation_failed", detail: "send application/json")
        }
        guard let role = AccountRole(rawValue: mapping.role.rawValue) else {
            throw StockError.validationFailed(field: "role", reason: "unknown account role")
        }
        let saved = try await inventory.setAccount(
            role, to: mapping.account, company: mapping.company, category: mapping.category)
        return .ok(
            .init(
                body: .json(
                    .init(
                        company: mapping.company, category: saved.category, role: mapping.role,
                        account: saved.account))))
    }

    static func schema(_ role: AccountRole) -> Components.Schemas.AccountRole {
        Components.Schemas.AccountRole(rawValue: role.rawValue) ?? .stockValuation
    }
}
