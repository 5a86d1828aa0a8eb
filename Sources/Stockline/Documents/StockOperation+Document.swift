public import StocklineCore

extension StockOperation {
    /// Reads an operation written as in scenario files: `kind` is its name (`receive`), `fields` its mapping.
    public static func decode(kind: String, fields: DocumentValue, at path: String) throws -> StockOperation {
        guard let kind = OperationKind(rawValue: kind) else {
            throw DocumentError(path: path, reason: "unknown operation \(kind)")
        }
        let path = path.isEmpty ? kind.rawValue : "\(path).\(kind.rawValue)"
        func read<T: Codable>(_ type: T.Type) throws -> T { try StrictDecoder.decode(type, from: fields, at: path) }
        switch kind {
        case .receive:
            // A receipt against a purchase order names the order and its lines.
            if fields["po"] != nil { return .receiveOrder(try read(OrderReceipt.self)) }
            return .receive(try read(Receive.self))
        case .deliver: return .deliver(try read(Deliver.self))
        case .reserve: return .reserve(try read(Reserve.self))
        case .unreserve: return .unreserve(try read(OrderRef.self))
        case .ship: return .ship(try read(OrderRef.self))
        case .transfer: return .transfer(try read(Transfer.self))
        case .arrive: return .arrive(try read(Arrive.self))
        case .count: return .count(try read(Count.self))
        case .adjust: return .adjust(try read(Adjust.self))
        case .scrap: return .scrap(try read(Scrap.self))
        case .returnFromCustomer: return .returnFromCustomer(try read(CustomerReturn.self))
        case .returnToSupplier: return .returnToSupplier(try read(SupplierReturn.self))
        case .hold: return .hold(try read(Quality.self))
        case .release: return .release(try read(Quality.self))
        case .reject: return .reject(try read(Quality.self))
        case .landedCost: return .landedCost(try read(LandedCost.self))
        case .consume: return .consume(try read(Consume.self))
        case .produce:
            if fields["order"] != nil { return .produceOrder(try read(OrderProduction.self)) }
            return .produce(try read(Produce.self))
        case .supersede: return .supersede(try read(Supersede.self))
        case .setCost: return .setCost(try read(SetCost.self))
        case .purchaseOrder: return .purchaseOrder(try read(PurchaseOrder.self))
        case .asn: return .asn(try read(ASN.self))
        case .salesOrder: return .salesOrder(try read(SalesOrder.self))
        case .allocate: return .allocate(try read(Allocate.self))
        case .close: return .close(try read(OrderRef.self))
        case .productionOrder: return .productionOrder(try read(ProductionOrder.self))
        }
    }

    /// The keys of earlier postings this operation refers to.
    public var references: [String] {
        switch self {
        case .arrive(let op): [op.transfer]
        case .returnFromCustomer(let op): [op.of].compactMap { $0 }
        case .returnToSupplier(let op): [op.of].compactMap { $0 }
        case .landedCost(let op): op.receipts
        default: []
        }
    }
}
