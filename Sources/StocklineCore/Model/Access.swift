public import Foundation

/// What a token holder does in the business; the permission matrix follows from it.
public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
    case admin
    case inventoryController = "inventory_controller"
    case warehouseOperator = "warehouse_operator"
    case planner, buyer, finance
    /// Read-only, everything.
    case auditor
    /// A connected system (ERP, WMS, portal): posts and reads, manages webhooks.
    case integration
}

/// Something a request may need to be allowed to do.
public enum Permission: Sendable, Hashable, CustomStringConvertible {
    case read
    case post(OperationKind)
    case manageMasterData
    case manageItems
    case manageTokens
    case manageWebhooks
    case readAudit
    /// The journal, valuation at a date, aging and the chart of accounts.
    case readAccounting
    case manageAccounts

    public var description: String {
        switch self {
        case .read: "read"
        case .post(let kind): "post \(kind.rawValue)"
        case .manageMasterData: "manage companies, warehouses and locations"
        case .manageItems: "manage items"
        case .manageTokens: "manage tokens"
        case .manageWebhooks: "manage webhooks"
        case .readAudit: "read the audit trail"
        case .readAccounting: "read the journal and valuation"
        case .manageAccounts: "manage the chart of accounts"
        }
    }
}

extension Role {
    /// The permission matrix (docs/api.md prints it).
    public func allows(_ permission: Permission) -> Bool {
        switch (self, permission) {
        case (.admin, _): return true
        case (_, .read): return true
        case (.finance, .readAccounting), (.finance, .manageAccounts), (.auditor, .readAccounting),
            (.inventoryController, .readAccounting):
            return true
        case (.auditor, .readAudit), (.inventoryController, .readAudit), (.finance, .readAudit): return true
        case (.auditor, _): return false
        case (.inventoryController, .manageMasterData), (.inventoryController, .manageItems): return true
        case (.integration, .manageMasterData), (.integration, .manageItems), (.integration, .manageWebhooks):
            return true
        case (.buyer, .manageItems), (.planner, .manageItems): return true
        case (.inventoryController, .post(let kind)): return kind != .landedCost && kind != .setCost
        case (.integration, .post(let kind)): return kind != .landedCost && kind != .setCost && kind != .supersede
        case (.warehouseOperator, .post(let kind)): return Role.floorWork.contains(kind)
        case (.planner, .post(let kind)):
            return [.reserve, .unreserve, .transfer, .supersede, .salesOrder, .allocate, .productionOrder, .close]
                .contains(kind)
        case (.buyer, .post(let kind)):
            return [.receive, .returnToSupplier, .purchaseOrder, .asn, .close].contains(kind)
        case (.finance, .post(let kind)): return [.landedCost, .setCost].contains(kind)
        default: return false
        }
    }

    /// What people on the warehouse floor post with a handheld scanner.
    static let floorWork: Set<OperationKind> = [
        .receive, .deliver, .reserve, .unreserve, .ship, .transfer, .arrive, .count, .scrap, .returnFromCustomer,
        .returnToSupplier, .hold, .release, .reject, .consume, .produce,
    ]
}

/// An API token as stored: only the SHA-256 of the secret, never the secret itself.
public struct APIToken: Sendable, Hashable, Codable {
    public var id: Int64
    public var name: String
    public var hash: String
    public var role: Role
    /// When set, the token may only write in this warehouse.
    public var warehouse: String?
    public var createdAt: Date

    public init(id: Int64, name: String, hash: String, role: Role, warehouse: String?, createdAt: Date) {
        self.id = id
        self.name = name
        self.hash = hash
        self.role = role
        self.warehouse = warehouse
        self.createdAt = createdAt
    }
}

/// One attributed posting in the audit trail.
public struct AuditEntry: Sendable, Hashable, Codable {
    public var posting: Int64
    public var key: String
    public var kind: OperationKind
    public var sku: String?
    public var actor: String
    public var token: String?
    public var source: String
    public var reason: String?
    public var reference: String?
    public var requestID: String?
    public var at: Date

    public init(
        posting: Int64, key: String, kind: OperationKind, sku: String?, actor: String, token: String?,
        source: String, reason: String?, reference: String?, requestID: String?, at: Date
    ) {
        self.posting = posting
        self.key = key
        self.kind = kind
        self.sku = sku
        self.actor = actor
        self.token = token
        self.source = source
        self.reason = reason
        self.reference = reference
        self.requestID = requestID
        self.at = at
    }
}

/// Which postings an audit query returns.
public struct AuditFilter: Sendable, Hashable {
    public var sku: String?
    public var actor: String?
    public var from: Date?
    public var to: Date?
    public var limit: Int

    public init(sku: String? = nil, actor: String? = nil, from: Date? = nil, to: Date? = nil, limit: Int = 100) {
        self.sku = sku
        self.actor = actor
        self.from = from
        self.to = to
        self.limit = limit
    }
}

/// A person who signs in to the web app: the same roles and warehouse scope as API tokens.
public struct WebUser: Sendable, Hashable, Codable {
    public var name: String
    public var role: Role
    /// When set, the user may only write in this warehouse.
    public var warehouse: String?
    /// A slow, salted hash of the password (see `Passwords`), never the password.
    public var passwordHash: String
    public var createdAt: Date

    public init(name: String, role: Role, warehouse: String?, passwordHash: String, createdAt: Date) {
        self.name = name
        self.role = role
        self.warehouse = warehouse
        self.passwordHash = passwordHash
        self.createdAt = createdAt
    }
}

/// A request the web app or the scanner refused for who sent it (no valid session, a form without its CSRF token,
/// outside the user's role or warehouse): kept so the audit trail shows attempts, not only what was posted.
public struct RefusedAttempt: Sendable, Hashable, Codable {
    /// Assigned by the store; 0 before.
    public var id: Int64
    public var at: Date
    /// The user's name, or `unknown` without a valid session.
    public var actor: String
    /// `web` or `scanner`.
    public var source: String
    /// What was tried, e.g. `POST /items/P1/receive`.
    public var action: String
    /// `csrf`, `forbidden` or `signed_out`.
    public var code: String
    public var detail: String

    public init(id: Int64 = 0, at: Date, actor: String, source: String, action: String, code: String, detail: String) {
        self.id = id
        self.at = at
        self.actor = actor
        self.source = source
        self.action = action
        self.code = code
        self.detail = detail
    }
}

/// A signed-in browser: the user, the token every form must carry back (CSRF), and when it stops being valid.
public struct WebSession: Sendable, Hashable, Codable {
    /// SHA-256 of the cookie's secret.
    public var hash: String
    public var user: String
    public var csrf: String
    public var expires: Date

    public init(hash: String, user: String, csrf: String, expires: Date) {
        self.hash = hash
        self.user = user
        self.csrf = csrf
        self.expires = expires
    }
}
