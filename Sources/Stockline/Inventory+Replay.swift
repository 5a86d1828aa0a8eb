public import Foundation
public import StocklineCore
import StocklineStore

/// Why a replay stopped: a recorded posting that the fresh ledger refused.
public struct ReplayError: Error, CustomStringConvertible {
    public var key: String
    public var error: StockError
    public var description: String { "replaying posting \(key) was refused: \(error.code): \(error)" }
}

extension Inventory {
    /// Rebuilds this ledger as it stood at `through` in `target`, an empty ledger: the master data, then every
    /// posting made up to then, in order, under its own key, time and attribution.
    ///
    /// Items start active (later engineering changes are postings and replay themselves). It answers a question no
    /// stored figure can: whether what the ledger reports for a past date is what its postings up to then give.
    ///
    /// - Returns: how many postings were replayed.
    @discardableResult
    public func replay(into target: Inventory, through: Date, progress: @Sendable (Int) -> Void = { _ in })
        async throws -> Int
    {
        let catalog = try await catalog()
        for company in catalog.companies.values.sorted(by: { $0.id < $1.id }) {
            try await target.addCompany(code: company.code, currency: company.currency, costing: company.costing)
        }
        for warehouse in catalog.warehouses.values.sorted(by: { $0.id < $1.id }) {
            guard let company = catalog.companies[warehouse.companyID] else { continue }
            try await target.addWarehouse(
                code: warehouse.code, company: company.code, kind: warehouse.kind,
                allowNegative: warehouse.allowNegative)
        }
        let created = try await target.catalog()
        for location in catalog.locations.values.sorted(by: { $0.id < $1.id })
        where location.isInternal && created.location(path: location.path) == nil {
            try await target.addLocation(path: location.path)
        }
        for partner in catalog.partners {
            try await target.addPartner(
                code: partner.code, role: partner.role, name: partner.name, leadDays: partner.leadDays)
        }
        for route in catalog.routes {
            guard let from = catalog.warehouses[route.fromID]?.code, let to = catalog.warehouses[route.toID]?.code
            else { continue }
            try await target.setRoute(from: from, to: to, leadDays: route.leadDays, cost: route.cost)
        }
        var cursor: ItemID?
        var bills: [(sku: String, bill: [Item.Component])] = []
        while true {
            let page = try await store.items(limit: 500, after: cursor)
            guard let last = page.last else { break }
            for var item in page {
                item.lifecycle = .active
                // Bills name their components by id: set once every item exists in the target, by SKU.
                if let bill = item.bill { bills.append((item.sku, bill)) }
                item.bill = nil
                try await target.addItem(item)
            }
            cursor = last.id
        }
        for (sku, bill) in bills {
            try await target.setBill(sku: sku, components: bill.map { ($0.sku, $0.quantity) })
        }
        for mapping in try await store.accountMappings() {
            guard let company = catalog.companies[mapping.companyID] else { continue }
            _ = try await target.setAccount(
                mapping.role, to: mapping.account, company: company.code, category: mapping.category)
        }
        var after: Int64 = 0
        var replayed = 0
        while true {
            let log = try await store.postingLog(after: after, through: through, limit: 500)
            guard let last = log.last else { break }
            let requests = log.map {
                PostingRequest(
                    key: $0.key, operation: $0.operation, actor: $0.actor, source: $0.source, reason: $0.reason,
                    now: $0.at)
            }
            for (request, result) in zip(requests, try await target.postBatch(requests)) {
                if case .failure(let error) = result { throw ReplayError(key: request.key, error: error) }
            }
            replayed += log.count
            after = last.id
            progress(replayed)
        }
        return replayed
    }
}
