/// The companies, warehouses, locations and partners: small, rarely changed, and needed by nearly every posting.
public struct Catalog: Sendable, Hashable {
    public private(set) var companies: [CompanyID: Company] = [:]
    public private(set) var warehouses: [WarehouseID: Warehouse] = [:]
    public private(set) var locations: [LocationID: Location] = [:]
    private var companyByCode: [String: CompanyID] = [:]
    private var warehouseByCode: [String: WarehouseID] = [:]
    private var locationByPath: [String: LocationID] = [:]
    private var partnerByRole: [Partner.Role: [String: Partner]] = [:]
    private var routeByEnds: [WarehouseID: [WarehouseID: Route]] = [:]

    public init(
        companies: [Company] = [], warehouses: [Warehouse] = [], locations: [Location] = [], partners: [Partner] = [],
        routes: [Route] = []
    ) {
        for company in companies { add(company) }
        for warehouse in warehouses { add(warehouse) }
        for location in locations { add(location) }
        for partner in partners { add(partner) }
        for route in routes { add(route) }
    }

    public mutating func add(_ route: Route) { routeByEnds[route.fromID, default: [:]][route.toID] = route }

    public func route(from: WarehouseID, to: WarehouseID) -> Route? { routeByEnds[from]?[to] }

    /// Every route, by the warehouse it leaves, then the one it reaches.
    public var routes: [Route] {
        routeByEnds.values.flatMap(\.values).sorted { ($0.fromID, $0.toID) < ($1.fromID, $1.toID) }
    }

    public mutating func add(_ partner: Partner) { partnerByRole[partner.role, default: [:]][partner.code] = partner }

    public func partner(code: String, role: Partner.Role) -> Partner? { partnerByRole[role]?[code] }

    /// Every supplier and customer, by role then code.
    public var partners: [Partner] {
        partnerByRole.values.flatMap(\.values).sorted { ($0.role.rawValue, $0.code) < ($1.role.rawValue, $1.code) }
    }

    /// The partner an order names, or `unknown_partner`.
    public func partner(_ code: String, as role: Partner.Role) throws(StockError) -> Partner {
        guard let partner = partner(code: code, role: role) else { throw .unknownPartner(code, role: role) }
        return partner
    }

    public mutating func add(_ company: Company) {
        companies[company.id] = company
        companyByCode[company.code] = company.id
    }

    public mutating func add(_ warehouse: Warehouse) {
        warehouses[warehouse.id] = warehouse
        warehouseByCode[warehouse.code] = warehouse.id
    }

    public mutating func add(_ location: Location) {
        locations[location.id] = location
        locationByPath[location.path] = location.id
    }

    public func company(code: String) -> Company? { companyByCode[code].flatMap { companies[$0] } }
    public func warehouse(code: String) -> Warehouse? { warehouseByCode[code].flatMap { warehouses[$0] } }
    public func location(path: String) -> Location? { locationByPath[path].flatMap { locations[$0] } }

    public func company(_ id: CompanyID) throws(StockError) -> Company {
        guard let company = companies[id] else { throw .unknownCompany(String(id.rawValue)) }
        return company
    }

    public func warehouse(_ id: WarehouseID) throws(StockError) -> Warehouse {
        guard let warehouse = warehouses[id] else { throw .unknownWarehouse(String(id.rawValue)) }
        return warehouse
    }

    public func location(_ id: LocationID) throws(StockError) -> Location {
        guard let location = locations[id] else { throw .unknownLocation(String(id.rawValue)) }
        return location
    }

    /// For writes: a warehouse code means its STOCK location, otherwise a full path.
    public func writeLocation(_ reference: String) throws(StockError) -> Location {
        if let warehouse = warehouse(code: reference) { return try location(warehouse.stockLocationID) }
        guard let location = location(path: reference) else { throw .unknownLocation(reference) }
        return location
    }

    /// For reads: a warehouse code means its root (every internal location below it), otherwise a full path.
    public func readLocation(_ reference: String) throws(StockError) -> Location {
        if let warehouse = warehouse(code: reference) { return try location(warehouse.rootLocationID) }
        guard let location = location(path: reference) else { throw .unknownLocation(reference) }
        return location
    }

    /// The warehouse whose stock a location holds, for internal locations.
    public func warehouse(of location: Location) -> Warehouse? {
        location.warehouseID.flatMap { warehouses[$0] }
    }

    /// The location of a virtual usage (supplier, customer, scrap …); created by the first migration.
    public func virtual(_ path: String) throws(StockError) -> Location {
        guard let location = location(path: path) else { throw .unknownLocation(path) }
        return location
    }

    /// The only company, when there is exactly one.
    public var soleCompany: Company? { companies.count == 1 ? companies.values.first : nil }
}
