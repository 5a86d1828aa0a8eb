import Foundation
import OpenAPIRuntime
import Stockline
import StocklineAPI
import StocklineCore

extension APIImplementation {
    func listCompanies(_ input: Operations.ListCompanies.Input) async throws -> Operations.ListCompanies.Output {
        try authorize(.read)
        let catalog = try await inventory.catalog()
        return .ok(.init(body: .json(catalog.companies.values.sorted { $0.id < $1.id }.map(Self.schema))))
    }

    func createCompany(_ input: Operations.CreateCompany.Input) async throws -> Operations.CreateCompany.Output {
        try authorize(.manageMasterData)
        guard case .json(let new) = input.body else {
            throw Problem(status: 415, code: "validation_failed", detail: "send application/json")
        }
        let costing = new.costing.flatMap { CostingMethod(rawValue: $0.rawValue) } ?? .fifo
        let currency = new.currency ?? "EUR"
        let company = try await inventory.remember(
            key: input.headers.idempotencyKey, request: Remembered(operationID: "createCompany", body: new)
        ) {
            do {
                return try await inventory.addCompany(code: new.code, currency: currency, costing: costing)
            } catch StockError.duplicate {
                guard let existing = try await inventory.catalog().company(code: new.code),
                    existing.currency == currency, existing.costing == costing
                else { throw StockError.duplicate(kind: "company", code: new.code) }
                return existing
            }
        }
        return .created(.init(body: .json(Self.schema(company))))
    }

    func listWarehouses(_ input: Operations.ListWarehouses.Input) async throws -> Operations.ListWarehouses.Output {
        try authorize(.read)
        let catalog = try await inventory.catalog()
        return .ok(
            .init(
                body: .json(
                    catalog.warehouses.values.sorted { $0.id < $1.id }.map { Self.schema($0, catalog: catalog) })))
    }

    func createWarehouse(_ input: Operations.CreateWarehouse.Input) async throws -> Operations.CreateWarehouse.Output {
        try authorize(.manageMasterData)
        guard case .json(let new) = input.body else {
            throw Problem(status: 415, code: "validation_failed", detail: "send application/json")
        }
        let kind = new.kind.flatMap { Warehouse.Kind(rawValue: $0.rawValue) } ?? .distributionCentre
        let allowNegative = new.allowNegative ?? false
        let warehouse = try await inventory.remember(
            key: input.headers.idempotencyKey, request: Remembered(operationID: "createWarehouse", body: new)
        ) {
            do {
                return try await inventory.addWarehouse(
                    code: new.code, company: new.company, kind: kind, allowNegative: allowNegative)
            } catch StockError.duplicate {
                let catalog = try await inventory.catalog()
                guard let existing = catalog.warehouse(code: new.code), existing.kind == kind,
                    existing.allowNegative == allowNegative,
                    new.company == nil || catalog.companies[existing.companyID]?.code == new.company
                else { throw StockError.duplicate(kind: "warehouse", code: new.code) }
                return existing
            }
        }
        return .created(.init(body: .json(Self.schema(warehouse, catalog: try await inventory.catalog()))))
    }

    func listLocations(_ input: Operations.ListLocations.Input) async throws -> Operations.ListLocations.Output {
        try authorize(.read)
        let catalog = try await inventory.catalog()
        var locations = catalog.locations.values.sorted { $0.path < $1.path }
        if let code = input.query.warehouse {
            guard let warehouse = catalog.warehouse(code: code) else { throw StockError.unknownLocation(code) }
            locations = locations.filter { $0.warehouseID == warehouse.id }
        }
        return .ok(.init(body: .json(locations.map { Self.schema($0, catalog: catalog) })))
    }

    func createLocation(_ input: Operations.CreateLocation.Input) async throws -> Operations.CreateLocation.Output {
        try authorize(.manageMasterData)
        guard case .json(let new) = input.body else {
            throw Problem(status: 415, code: "validation_failed", detail: "send application/json")
        }
        let location = try await inventory.remember(
            key: input.headers.idempotencyKey, request: Remembered(operationID: "createLocation", body: new)
        ) {
            do {
                return try await inventory.addLocation(path: new.path)
            } catch StockError.duplicate {
                guard let existing = try await inventory.catalog().location(path: new.path), existing.isInternal else {
                    throw StockError.duplicate(kind: "location", code: new.path)
                }
                return existing
            }
        }
        return .created(.init(body: .json(Self.schema(location, catalog: try await inventory.catalog()))))
    }

    func listItems(_ input: Operations.ListItems.Input) async throws -> Operations.ListItems.Output {
        try authorize(.read)
        let items = try await inventory.items(after: input.query.after, limit: input.query.limit ?? 100)
        return .ok(.init(body: .json(try await schemas(items))))
    }

    func createItem(_ input: Operations.CreateItem.Input) async throws -> Operations.CreateItem.Output {
        try authorize(.manageItems)
        guard case .json(let new) = input.body else {
            throw Problem(status: 415, code: "validation_failed", detail: "send application/json")
        }
        let item = try Self.item(new)
        let created = try await inventory.remember(
            key: input.headers.idempotencyKey, request: Remembered(operationID: "createItem", body: new)
        ) {
            do {
                return try await inventory.addItem(item)
            } catch StockError.duplicate {
                guard let existing = try await inventory.item(sku: new.sku), existing.matches(item) else {
                    throw StockError.duplicate(kind: "item", code: new.sku)
                }
                return existing
            }
        }
        return .created(.init(body: .json(try await schemas([created])[0])))
    }

    func upsertItems(_ input: Operations.UpsertItems.Input) async throws -> Operations.UpsertItems.Output {
        try authorize(.manageItems)
        guard case .json(let list) = input.body else {
            throw Problem(status: 415, code: "validation_failed", detail: "send application/json")
        }
        let results = try await inventory.remember(
            key: input.headers.idempotencyKey, request: Remembered(operationID: "upsertItems", body: list)
        ) {
            var results: [Components.Schemas.ItemUpsertResult] = []
            for new in list {
                do {
                    _ = try await inventory.addItem(try Self.item(new))
                    results.append(.init(sku: new.sku, status: .created))
                } catch StockError.duplicate {
                    results.append(.init(sku: new.sku, status: .exists))
                } catch let error as StockError {
                    results.append(.init(sku: new.sku, status: .error, code: error.code, detail: error.description))
                }
            }
            return results
        }
        return .ok(.init(body: .json(results)))
    }

    func getItem(_ input: Operations.GetItem.Input) async throws -> Operations.GetItem.Output {
        try authorize(.read)
        guard let item = try await inventory.item(sku: input.path.sku) else {
            throw Problem.notFound("no item with SKU \(input.path.sku)")
        }
        return .ok(.init(headers: .init(eTag: "\"\(item.etag)\""), body: .json(try await schemas([item])[0])))
    }

    func updateItem(_ input: Operations.UpdateItem.Input) async throws -> Operations.UpdateItem.Output {
        try authorize(.manageItems)
        guard case .json(let change) = input.body else {
            throw Problem(status: 415, code: "validation_failed", detail: "send application/json")
        }
        let expected = input.headers.ifMatch.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")) }
        let updated: Item
        do {
            updated = try await inventory.updateItem(sku: input.path.sku) { current in
                if let expected, expected != "*", expected != current.etag {
                    throw ItemVersionMismatch(current: current.etag)
                }
                var item = current
                if let name = change.name { item.name = name }
                if let pack = change.pack { item.packs = try pack.additionalProperties.mapValues { try Fixed($0) } }
                if let cost = change.standardCost { item.standardCost = try Fixed(cost) }
                if let weight = change.weight { item.weight = try Fixed(weight) }
                if let volume = change.volume { item.volume = try Fixed(volume) }
                if let gtin = change.gtin { item.gtin = gtin }
                if let category = change.category { item.category = category }
                if let lifecycle = change.lifecycle.flatMap({ Item.Lifecycle(rawValue: $0.rawValue) }) {
                    item.lifecycle = lifecycle
                }
                return item
            }
        } catch let mismatch as ItemVersionMismatch {
            throw Problem(
                status: 412, code: "conflict",
                detail:
                    "SKU \(input.path.sku) changed since it was read (now version \(mismatch.current)); read it again")
        }
        return .ok(.init(headers: .init(eTag: "\"\(updated.etag)\""), body: .json(try await schemas([updated])[0])))
    }

    func listLots(_ input: Operations.ListLots.Input) async throws -> Operations.ListLots.Output {
        try authorize(.read)
        guard try await inventory.item(sku: input.path.sku) != nil else {
            throw Problem.notFound("no item with SKU \(input.path.sku)")
        }
        let lots = try await inventory.lotsInStock(sku: input.path.sku)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return .ok(
            .init(body: .json(lots.map { .init(name: $0.name, expiry: $0.expiry.map(formatter.string(from:))) })))
    }

    // MARK: - Conversions

    /// What a master-data write remembers under its key: which operation, with what body.
    struct Remembered<Body: Encodable>: Encodable {
        var operationID: String
        var body: Body
    }

    static func item(_ new: Components.Schemas.NewItem) throws -> Item {
        guard let unit = UnitOfMeasure.builtIn[new.uom] else {
            throw StockError.validationFailed(
                field: "uom", reason: "\(new.uom) is not a known unit (unit, kg, g, t, lb, l, ml, m, cm, mm)")
        }
        return Item(
            id: ItemID(0), sku: new.sku, name: new.name, unit: unit,
            packs: try (new.pack?.additionalProperties ?? [:]).mapValues { try Fixed($0) },
            tracking: new.tracking.flatMap { Item.Tracking(rawValue: $0.rawValue) } ?? .none,
            lifecycle: new.lifecycle.flatMap { Item.Lifecycle(rawValue: $0.rawValue) } ?? .active,
            standardCost: try new.standardCost.map { try Fixed($0) }, weight: try new.weight.map { try Fixed($0) },
            volume: try new.volume.map { try Fixed($0) }, gtin: new.gtin,
            suppliers: try (new.suppliers ?? []).map { terms in
                Item.Supplier(
                    code: terms.supplier, leadTimeDays: terms.leadDays, price: try terms.price.map { try Fixed($0) },
                    minQuantity: try terms.minQty.map { try Fixed($0) },
                    multiple: try terms.multiple.map { try Fixed($0) })
            }, category: new.category)
    }

    func schemas(_ items: [Item]) async throws -> [Components.Schemas.Item] {
        let successors = try await inventory.skus(of: items.compactMap(\.successorID))
        return items.map { item in
            .init(
                sku: item.sku, name: item.name, uom: item.unit.name,
                tracking: .init(rawValue: item.tracking.rawValue) ?? Components.Schemas.Item.TrackingPayload.none,
                pack: item.packs.isEmpty ? nil : .init(additionalProperties: item.packs.mapValues(\.double)),
                standardCost: item.standardCost?.double, weight: item.weight?.double, volume: item.volume?.double,
                gtin: item.gtin, category: item.category,
                lifecycle: .init(rawValue: item.lifecycle.rawValue) ?? .active,
                successor: item.successorID.flatMap { successors[$0] })
        }
    }

    static func schema(_ company: Company) -> Components.Schemas.Company {
        .init(
            code: company.code, currency: company.currency, costing: .init(rawValue: company.costing.rawValue) ?? .fifo)
    }

    static func schema(_ warehouse: Warehouse, catalog: Catalog) -> Components.Schemas.Warehouse {
        .init(
            code: warehouse.code, company: catalog.companies[warehouse.companyID]?.code ?? "?",
            kind: .init(rawValue: warehouse.kind.rawValue) ?? .distributionCentre,
            allowNegative: warehouse.allowNegative)
    }

    static func schema(_ location: Location, catalog: Catalog) -> Components.Schemas.Location {
        .init(
            path: location.path, usage: location.usage.rawValue,
            warehouse: location.warehouseID.flatMap { catalog.warehouses[$0]?.code })
    }
}

extension Item {
    /// Whether a create request describes this item (so replaying it is not a conflict).
    func matches(_ other: Item) -> Bool {
        var other = other
        other.id = id
        other.lifecycle = lifecycle
        other.successorID = successorID
        return other == self
    }
}

/// An `If-Match` that names a version the item no longer has.
struct ItemVersionMismatch: Error {
    var current: String
}
