import Foundation
import StocklineCore

/// A ledger held in memory for planner tests: one company, warehouse `WH1` (STOCK, INPUT, QC, OUTPUT and its transit
/// location) and the virtual locations, with the given items. No store is involved: postings plan against `state`.
struct CoreWorld {
    var state: LedgerState
    private var nextPosting: Int64 = 1
    private var clock = Date(timeIntervalSince1970: 1_767_225_600)

    static let stock = LocationID(11)

    init(costing: CostingMethod = .fifo, allowNegative: Bool = false, items: [Item]) {
        let company = Company(id: CompanyID(1), code: "ACME", currency: "EUR", costing: costing)
        let warehouse = Warehouse(
            id: WarehouseID(1), code: "WH1", companyID: company.id, kind: .distributionCentre,
            allowNegative: allowNegative, rootLocationID: LocationID(10), stockLocationID: LocationID(11),
            qcLocationID: LocationID(13), transitLocationID: LocationID(15))
        func location(_ id: Int64, _ path: String, _ usage: Location.Usage, parent: Int64?, warehouse: Bool = false)
            -> Location
        {
            Location(
                id: LocationID(id), path: path, usage: usage, parentID: parent.map(LocationID.init),
                warehouseID: warehouse ? WarehouseID(1) : nil)
        }
        let locations = [
            location(1, "Partners", .view, parent: nil), location(2, "Partners/Suppliers", .supplier, parent: 1),
            location(3, "Partners/Customers", .customer, parent: 1), location(4, "Virtual", .view, parent: nil),
            location(5, "Virtual/Production", .production, parent: 4), location(6, "Virtual/Scrap", .scrap, parent: 4),
            location(7, "Virtual/Inventory adjustment", .adjustment, parent: 4),
            location(8, "Transit", .view, parent: nil),
            location(10, "WH1", .view, parent: nil, warehouse: true),
            location(11, "WH1/STOCK", .internal, parent: 10, warehouse: true),
            location(12, "WH1/INPUT", .internal, parent: 10, warehouse: true),
            location(13, "WH1/QC", .internal, parent: 10, warehouse: true),
            location(14, "WH1/OUTPUT", .internal, parent: 10, warehouse: true),
            location(15, "Transit/WH1", .transit, parent: 8, warehouse: true),
        ]
        let catalog = Catalog(companies: [company], warehouses: [warehouse], locations: locations)
        var books: [ItemID: ItemBook] = [:]
        for (index, item) in items.enumerated() {
            var item = item
            item.id = ItemID(Int64(index + 1))
            books[item.id] = ItemBook(item: item)
        }
        state = LedgerState(catalog: catalog, books: books, ids: IDAllocator(nextMove: 1, nextLayer: 1, nextLot: 1))
    }

    /// Plans one operation; on success the state keeps its changes, on refusal it is untouched.
    mutating func post(_ operation: StockOperation) -> Result<PostingResult, StockError> {
        defer {
            nextPosting += 1
            clock = clock.addingTimeInterval(1)
        }
        let context = PostingContext(postingID: nextPosting, key: "k\(nextPosting)", now: clock)
        return Planner.plan(operation, in: &state, context: context)
    }

    func book(_ sku: String) -> ItemBook? {
        state.skus[sku].flatMap { state.books[$0] }
    }

    /// On-hand quantity of `sku` in WH1.
    func onHand(_ sku: String) -> Quantity {
        guard let id = state.skus[sku], let root = state.catalog.locations[LocationID(10)] else { return .zero }
        return state.position(of: id, at: root).onHand
    }

    /// The company's stock value of `sku` as its cost totals hold it.
    func companyValue(_ sku: String) -> Money {
        book(sku)?.costs[CompanyID(1)]?.totals.value ?? .zero
    }

    /// The average or standard figure the company values `sku` at.
    func figure(_ sku: String) -> Money {
        book(sku)?.costs[CompanyID(1)]?.totals.unitCost ?? .zero
    }

    func companyQuantity(_ sku: String) -> Quantity {
        book(sku)?.costs[CompanyID(1)]?.totals.quantity ?? .zero
    }
}

func item(_ sku: String, uom: String = "unit", tracking: Item.Tracking = .none, packs: [String: Quantity] = [:])
    -> Item
{
    let unit =
        UnitOfMeasure.builtIn[uom] ?? UnitOfMeasure(name: uom, category: .unit, factor: Fixed(1), precision: Fixed(1))
    return Item(id: ItemID(0), sku: sku, unit: unit, packs: packs, tracking: tracking)
}
