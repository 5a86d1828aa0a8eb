/// What an account is for in inventory accounting; a company's chart maps each role to its own account code.
///
/// The journal records roles, so an external general ledger can remap codes without Stockline rewriting history.
public enum AccountRole: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case stockValuation = "stock_valuation"
    case transit
    case goodsReceivedNotInvoiced = "goods_received_not_invoiced"
    case costOfGoodsSold = "cost_of_goods_sold"
    case priceDifference = "price_difference"
    case inventoryAdjustment = "inventory_adjustment"
    case scrap
    case landedCostClearing = "landed_cost_clearing"
    case production

    /// Whether the account holds stock value: its balance must equal the valuation layers behind it.
    public var holdsStock: Bool { self == .stockValuation || self == .transit }

    /// The code an account gets when the company's chart says nothing else.
    public var defaultCode: String {
        switch self {
        case .stockValuation: "1400"
        case .transit: "1410"
        case .production: "1420"
        case .goodsReceivedNotInvoiced: "2100"
        case .landedCostClearing: "2110"
        case .costOfGoodsSold: "5000"
        case .priceDifference: "5010"
        case .inventoryAdjustment: "5020"
        case .scrap: "5030"
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One line of a company's chart: the account code for a role, for one item category or (category nil) all.
public struct AccountMapping: Sendable, Hashable, Codable {
    public var companyID: CompanyID
    public var category: String?
    public var role: AccountRole
    public var account: String

    public init(companyID: CompanyID, category: String?, role: AccountRole, account: String) {
        self.companyID = companyID
        self.category = category
        self.role = role
        self.account = account
    }
}

/// The account codes of every company: a category's own mapping first, then the company's, then the default.
public struct ChartOfAccounts: Sendable, Hashable {
    private var codes: [Key: String] = [:]

    private struct Key: Hashable {
        var companyID: CompanyID
        var category: String?
        var role: AccountRole
    }

    public init(_ mappings: [AccountMapping] = []) {
        for mapping in mappings {
            codes[Key(companyID: mapping.companyID, category: mapping.category, role: mapping.role)] = mapping.account
        }
    }

    public func account(_ role: AccountRole, company: CompanyID, category: String?) -> String {
        if let category, let code = codes[Key(companyID: company, category: category, role: role)] { return code }
        return codes[Key(companyID: company, category: nil, role: role)] ?? role.defaultCode
    }
}

extension OperationKind {
    /// The account an operation's value comes from or goes to; nil when it only moves stock inside the company.
    public var counterpartAccount: AccountRole? {
        switch self {
        case .receive, .returnToSupplier: .goodsReceivedNotInvoiced
        case .deliver, .ship, .returnFromCustomer: .costOfGoodsSold
        case .scrap, .reject: .scrap
        case .count, .adjust: .inventoryAdjustment
        case .consume, .produce: .production
        case .landedCost: .landedCostClearing
        case .setCost: .priceDifference
        case .transfer, .arrive, .reserve, .unreserve, .hold, .release, .supersede: nil
        case .purchaseOrder, .asn, .salesOrder, .allocate, .close, .productionOrder: nil
        }
    }
}
