/// Every refusal the ledger can give. `code` is stable: scenario files, the CLI and the API all use it.
public enum StockError: Error, Sendable, Hashable, CustomStringConvertible {
    case insufficientStock(sku: String, at: String, available: Quantity, requested: Quantity)
    case unknownItem(sku: String)
    case unknownLocation(String)
    case unknownCompany(String)
    case unknownWarehouse(String)
    case unknownOrder(String)
    case unknownPartner(String, role: Partner.Role)
    case noBOM(sku: String)
    case invalidQuantity(sku: String, quantity: Quantity, reason: String)
    case uomMismatch(sku: String, unit: String, base: String)
    case lotRequired(sku: String)
    case serialRequired(sku: String)
    case duplicateSerial(sku: String, serial: String)
    case serialQuantity(sku: String, serials: Int, quantity: Quantity)
    case obsoleteItem(sku: String, successor: String?)
    case invalidState(String)
    /// A move the ledger must value lacks its warehouse or company: refused rather than booked without its value.
    case unvaluedMove(MoveID, reason: String)
    case duplicate(kind: String, code: String)
    /// An absolute level was set against a quantity that is no longer current (compare-and-set).
    case staleQuantity(sku: String, at: String, current: Quantity, expected: Quantity)
    case validationFailed(field: String, reason: String)
    case idempotencyKeyReused(key: String)

    /// The stable code of the refusal.
    public var code: String {
        switch self {
        case .insufficientStock: "insufficient_stock"
        case .unknownItem: "unknown_item"
        case .unknownLocation, .unknownWarehouse: "unknown_location"
        case .unknownCompany: "unknown_company"
        case .unknownOrder: "unknown_order"
        case .unknownPartner: "unknown_partner"
        case .noBOM: "no_bom"
        case .invalidQuantity: "invalid_quantity"
        case .uomMismatch: "uom_mismatch"
        case .lotRequired: "lot_required"
        case .serialRequired: "serial_required"
        case .duplicateSerial: "duplicate_serial"
        case .serialQuantity: "serial_quantity"
        case .obsoleteItem: "obsolete_item"
        case .invalidState, .unvaluedMove: "invalid_state"
        case .duplicate, .staleQuantity: "conflict"
        case .validationFailed: "validation_failed"
        case .idempotencyKeyReused: "idempotency_key_reused"
        }
    }

    public var description: String {
        switch self {
        case .insufficientStock(let sku, let at, let available, let requested):
            "SKU \(sku) at \(at): \(available) available, \(requested) requested"
        case .unknownItem(let sku): "no item with SKU \(sku)"
        case .unknownLocation(let path): "no location \(path)"
        case .unknownWarehouse(let code): "no warehouse \(code)"
        case .unknownCompany(let code): "no company \(code)"
        case .unknownOrder(let order): "no order \(order): neither an order document nor open reservations"
        case .unknownPartner(let code, let role): "no \(role.rawValue) \(code)"
        case .noBOM(let sku): "SKU \(sku) has no bill of materials: set one before ordering its production"
        case .invalidQuantity(let sku, let quantity, let reason): "SKU \(sku): quantity \(quantity) \(reason)"
        case .uomMismatch(let sku, let unit, let base):
            "SKU \(sku) is kept in \(base); \(unit) is not a unit of the same kind or a pack of it"
        case .lotRequired(let sku): "SKU \(sku) is lot-tracked: name the lot"
        case .serialRequired(let sku): "SKU \(sku) is serial-tracked: list the serial numbers"
        case .duplicateSerial(let sku, let serial): "SKU \(sku): serial \(serial) is already in stock"
        case .serialQuantity(let sku, let serials, let quantity):
            "SKU \(sku): \(serials) serial numbers for a quantity of \(quantity); each serial is one unit"
        case .obsoleteItem(let sku, let successor):
            "SKU \(sku) is retired by an engineering change" + (successor.map { "; order \($0) instead" } ?? "")
        case .invalidState(let reason): reason
        case .unvaluedMove(let id, let reason): "move \(id) cannot be valued: \(reason)"
        case .duplicate(let kind, let code): "\(kind) \(code) exists already"
        case .staleQuantity(let sku, let at, let current, let expected):
            "SKU \(sku) at \(at) is \(current), not the expected \(expected); read it again and retry"
        case .validationFailed(let field, let reason): "\(field): \(reason)"
        case .idempotencyKeyReused(let key): "idempotency key \(key) was used for a different command"
        }
    }
}
