/// A site of a company; every warehouse has STOCK, INPUT, QC and OUTPUT locations.
public struct Warehouse: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case plant
        case distributionCentre = "distribution_centre"
        case dealer, store
        case serviceVan = "service_van"
        case thirdPartyLogistics = "3pl"
    }

    public var id: WarehouseID
    public var code: String
    public var companyID: CompanyID
    public var kind: Kind
    public var allowNegative: Bool
    /// The view location every location of the warehouse hangs below.
    public var rootLocationID: LocationID
    public var stockLocationID: LocationID
    public var qcLocationID: LocationID
    /// Where shipments towards this warehouse wait until they arrive.
    public var transitLocationID: LocationID

    public init(
        id: WarehouseID, code: String, companyID: CompanyID, kind: Kind, allowNegative: Bool,
        rootLocationID: LocationID, stockLocationID: LocationID, qcLocationID: LocationID,
        transitLocationID: LocationID
    ) {
        self.id = id
        self.code = code
        self.companyID = companyID
        self.kind = kind
        self.allowNegative = allowNegative
        self.rootLocationID = rootLocationID
        self.stockLocationID = stockLocationID
        self.qcLocationID = qcLocationID
        self.transitLocationID = transitLocationID
    }

    /// The names of the locations every warehouse is created with.
    public static let standardLocations = ["STOCK", "INPUT", "QC", "OUTPUT"]
}
