public import Foundation
public import StocklineCore

/// Persistence for the ledger. Postings come in through ``PostingPort``, planned by the service, so SQLite and
/// PostgreSQL agree on every number; they differ only in how they read, lock and store.
public protocol LedgerStore: RequestKeyStore, PostingPort, OrderPort, WebAccessPort {
    /// Creates or upgrades the schema; safe to call on every start.
    func migrate() async throws

    func catalog() async throws -> Catalog
    func addCompany(code: String, currency: String, costing: CostingMethod) async throws -> Company
    func addWarehouse(code: String, company: CompanyID, kind: Warehouse.Kind, allowNegative: Bool) async throws
        -> Warehouse
    /// Adds an internal location below an existing one (`WH1/STOCK/A-01`).
    func addLocation(path: String) async throws -> Location
    /// Adds an item; its `id` is assigned by the store.
    func addItem(_ item: Item) async throws -> Item
    func items(limit: Int, after: ItemID?) async throws -> [Item]
    /// Changes an item inside one write transaction: `change` sees the stored item and returns the new one, or
    /// throws (a compare-and-set that no longer matches) and nothing is written.
    func updateItem(sku: String, _ change: @Sendable (Item) throws -> Item) async throws -> Item

    /// Items by id, for resolving successors and the like.
    func items(ids: [ItemID]) async throws -> [Item]

    /// A consistent read of the state a request names.
    func snapshot(_ request: StateRequest) async throws -> LedgerState
    /// Summaries of earlier postings by key.
    func postings(keys: [String]) async throws -> [String: PostingSummary]
    func moves(item: ItemID, limit: Int) async throws -> [Move]
    func events(after sequence: Int64, limit: Int) async throws -> [LedgerEvent]
    /// Stock value of an item over all warehouses and transit, of one company or all.
    func totalValue(item: ItemID, company: CompanyID?) async throws -> Money
    /// Every broken invariant, as a line a person can act on; empty when the ledger is sound.
    func verify() async throws -> [String]
    func counts() async throws -> StoreCounts

    // MARK: Accounting

    /// Journal entries in posting order, one per posting and company.
    func journal(_ filter: JournalFilter) async throws -> [JournalEntry]
    func accountMappings() async throws -> [AccountMapping]
    /// Sets (or replaces) the account code of a role for a company and optional item category.
    func setAccountMapping(_ mapping: AccountMapping) async throws
    /// Journal balances booked up to `at`.
    func journalBalances(at: Date) async throws -> [JournalBalance]
    /// Per company, item and role over the whole journal (warehouse nil), and the event sequence it stands at:
    /// 0 when the journal is empty, so that every event is still to be applied.
    func journalBalancesWithSequence() async throws -> (balances: [JournalBalance], sequence: Int64)
    /// Quantities after the moves done up to `at`.
    func quantities(at: Date) async throws -> [LocationQuantity]
    /// Receipt layers with units still in stock.
    func openReceipts() async throws -> [OpenReceipt]
    /// Layers, journal and cost figures per company and stock account.
    func reconciliation() async throws -> [AccountReconciliation]
    /// Postings in order with the operations they carried, up to `through`, for replaying the ledger.
    func postingLog(after postingID: Int64, through: Date, limit: Int) async throws -> [RecordedPosting]

    /// Stores a new API token (its hash); the name must be unique.
    func addToken(name: String, hash: String, role: Role, warehouse: String?, at: Date) async throws -> APIToken
    func token(hash: String) async throws -> APIToken?
    func tokens() async throws -> [APIToken]
    /// Attributed postings, newest first.
    func audit(_ filter: AuditFilter) async throws -> [AuditEntry]

    // MARK: Webhooks

    /// Stores a subscription; it starts after `after`, or at the end of the outbox when that is nil.
    func addWebhook(_ subscription: NewWebhookSubscription) async throws -> WebhookSubscription
    /// Every subscription, by id.
    func webhooks() async throws -> [WebhookSubscription]
    /// Removes a subscription and its dead letters; false when there was none with that id.
    func removeWebhook(id: Int64) async throws -> Bool
    /// Takes (or renews) the right to deliver a subscription's events until `until`, so that of several instances on
    /// one database only one delivers each subscription, in order. Answers the subscription as it is now when the
    /// lease is `owner`'s, nil when another owner holds an unexpired lease or the subscription is gone.
    func claimWebhook(id: Int64, owner: String, until: Date, now: Date) async throws -> WebhookSubscription?
    /// Gives a lease back early (a dispatcher stopping), so another instance need not wait for it to expire.
    func releaseWebhook(id: Int64, owner: String) async throws
    /// Records that every event up to `sequence` was delivered or skipped; never moves backwards. False when the
    /// subscription is gone (removed while its events were being delivered).
    @discardableResult
    func advanceWebhookCursor(id: Int64, to sequence: Int64) async throws -> Bool
    /// Parks a delivery that kept failing and moves the cursor past its event, in one transaction, so the event is
    /// never both lost and acknowledged. Answers nil when the subscription is gone.
    func parkDeadLetter(
        subscription: Int64, sequence: Int64, eventType: String, body: String, attempts: Int,
        error: String, at: Date
    ) async throws -> WebhookDeadLetter?
    /// Parked deliveries, oldest first, of one subscription or all.
    func deadLetters(subscription: Int64?) async throws -> [WebhookDeadLetter]
    func deadLetter(id: Int64) async throws -> WebhookDeadLetter?
    /// Counts one more failed attempt (a replay that failed again) and keeps its error.
    func recordDeadLetterFailure(id: Int64, error: String) async throws
    /// Removes a dead letter (it was replayed successfully); false when there was none with that id.
    func removeDeadLetter(id: Int64) async throws -> Bool
}

/// Failures of the store itself, as opposed to refusals of the ledger.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    case corrupt(String)
    case unsupported(String)

    public var description: String {
        switch self {
        case .corrupt(let detail): "the database holds something unexpected: \(detail)"
        case .unsupported(let detail): detail
        }
    }
}

/// A stored name read back as its Swift value: an unknown name is corruption, never a default.
func stored<Value: RawRepresentable>(_ type: Value.Type, _ raw: Value.RawValue, in column: String) throws -> Value {
    guard let value = Value(rawValue: raw) else {
        throw StoreError.corrupt("\(column) holds \(raw), which is not one of its known values")
    }
    return value
}

extension LedgerStore {
    /// An account role read from a row; an unknown name is corruption, not "no account".
    static func account(_ name: String?, table: String, id: Int64) throws -> AccountRole? {
        guard let name else { return nil }
        guard let role = AccountRole(rawValue: name) else {
            throw StoreError.corrupt("\(table) \(id): unknown account role \(name)")
        }
        return role
    }
}
