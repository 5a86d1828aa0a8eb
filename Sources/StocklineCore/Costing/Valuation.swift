/// A share of valued stock on its way somewhere: units, their value, and the receipt layer they descend from.
public struct CostPiece: Sendable, Hashable {
    public var quantity: Quantity
    public var value: Money
    public var originID: LayerID?

    public init(quantity: Quantity, value: Money, originID: LayerID?) {
        self.quantity = quantity
        self.value = value
        self.originID = originID
    }
}

/// Who a valuation entry is for: the posting, its first move, and the clock of layer ids.
public struct ValuationContext: Sendable {
    public var companyID: CompanyID
    public var itemID: ItemID
    public var postingID: Int64
    public var moveID: MoveID?
    /// Where the value comes from or goes to; nil when it moves inside the company's stock.
    public var account: AccountRole?

    public init(companyID: CompanyID, itemID: ItemID, postingID: Int64, moveID: MoveID?, account: AccountRole?) {
        self.account = account
        self.companyID = companyID
        self.itemID = itemID
        self.postingID = postingID
        self.moveID = moveID
    }
}

/// What an outgoing posting took: the value, the incoming layers it used, and the pieces it carries on.
public struct Outflow: Sendable, Hashable {
    public var value: Money = .zero
    public var uses: [LayerUse] = []
    public var pieces: [CostPiece] = []
    public var layerID: LayerID?
}

extension CostBook {
    /// The unit cost the method gives now at a warehouse: FIFO's newest incoming layer there (else in the company,
    /// else the item's standard cost), or the average or standard figure.
    public func currentUnitCost(at warehouseID: WarehouseID?, item: Item) -> Money {
        switch method {
        case .fifo:
            if let warehouseID, let cost = scopes[.warehouse(warehouseID)]?.unitCost { return cost }
            return totals.unitCost ?? item.standardCost ?? .zero
        case .average, .standard:
            return totals.unitCost ?? item.standardCost ?? .zero
        }
    }

    /// Layers of a scope in queue order, read lazily: what FIFO takes first comes first.
    func queue(_ scope: CostScope) -> AnySequence<ValuationLayer> { layers.queue(method == .fifo ? scope : nil) }

    private func shortScope(_ scope: CostScope) -> CostScope { method == .fifo ? scope : .company }

    /// Books stock entering `scope` (a warehouse, or a shipment's transit), filling earlier shortfalls first.
    ///
    /// - Returns: the ids of the layers it created.
    @discardableResult
    mutating func receive(
        _ pieces: [CostPiece], into scope: CostScope, context: ValuationContext, shipmentID: Int64? = nil,
        item: Item, ids: inout IDAllocator, changes: inout ChangeSet
    ) -> [LayerID] {
        let quantity = pieces.reduce(Quantity.zero) { $0 + $1.quantity }
        let before = totals.quantity
        var pieces = pieces
        if method == .standard {
            let figure = totals.unitCost ?? item.standardCost ?? .zero
            pieces = pieces.map {
                CostPiece(quantity: $0.quantity, value: $0.quantity.times(figure, places: 2), originID: $0.originID)
            }
        }
        var created: [LayerID] = []
        var valueIn = Money.zero
        for piece in pieces where !piece.quantity.isZero {
            var piece = piece
            let full = piece
            let id = ids.layer()
            let correction =
                scope.isTransit
                ? .zero
                : fillShortfalls(
                    with: &piece, layer: id, origin: full.originID ?? id, scope: shortScope(scope), context: context,
                    ids: &ids, changes: &changes)
            let unitCost = full.value.divided(by: full.quantity)
            let layer = ValuationLayer(
                id: id, companyID: context.companyID, itemID: context.itemID, scope: scope,
                postingID: context.postingID, moveID: context.moveID, kind: .incoming, quantity: full.quantity,
                value: full.value, unitCost: unitCost, remainingQuantity: piece.quantity,
                remainingValue: method == .fifo ? piece.value : .zero, originID: full.originID ?? id,
                shipmentID: shipmentID, account: context.account)
            layers[id] = layer
            changes.newLayers.append(id)
            created.append(id)
            valueIn += full.value - correction
            var scoped = scopes[scope] ?? CostTotals()
            scoped.quantity += full.quantity
            scoped.value += full.value - correction
            if !scope.isTransit { scoped.unitCost = method == .fifo ? unitCost : scoped.unitCost }
            scopes[scope] = scoped
        }
        totals.quantity += quantity
        totals.value += valueIn
        switch method {
        case .fifo:
            if let last = created.last, let layer = layers[last], !scope.isTransit { totals.unitCost = layer.unitCost }
        case .average:
            if totals.quantity.isPositive {
                totals.unitCost = totals.value.divided(by: totals.quantity)
            } else if !quantity.isZero, before.isNegative || totals.quantity.isZero {
                totals.unitCost = pieces.reduce(Money.zero) { $0 + $1.value }.divided(by: quantity)
            }
        case .standard:
            if totals.unitCost == nil { totals.unitCost = item.standardCost ?? .zero }
        }
        changes.costs.insert(.init(itemID: context.itemID, companyID: context.companyID))
        return created
    }

    /// Re-costs units that earlier left below zero at an estimate, at the cost of `piece`; returns the extra cost.
    ///
    /// The filled units count as taken from the incoming layer `layerID` by the posting that was short, charged where
    /// its correction goes, so a later landed cost on that receipt finds them as it finds any other units that left.
    private mutating func fillShortfalls(
        with piece: inout CostPiece, layer layerID: LayerID, origin: LayerID, scope: CostScope,
        context: ValuationContext, ids: inout IDAllocator, changes: inout ChangeSet
    ) -> Money {
        var correctionTotal = Money.zero
        let shorts = layers.short.filter { method != .fifo || $0.scope == scope }
        for short in shorts where piece.quantity.isPositive {
            var layer = short
            let filled = min(layer.shortQuantity, piece.quantity)
            let cost = filled == piece.quantity ? piece.value : piece.value.scaled(by: filled, over: piece.quantity)
            let estimate =
                filled == layer.shortQuantity
                ? layer.shortValue : layer.shortValue.scaled(by: filled, over: layer.shortQuantity)
            piece.quantity -= filled
            piece.value -= cost
            layer.shortQuantity -= filled
            layer.shortValue -= estimate
            layers[layer.id] = layer
            changes.updatedLayers.insert(layer.id)
            let account = layer.account ?? .inventoryAdjustment
            changes.layerUses.append(
                LayerUse(
                    postingID: layer.postingID, layerID: layerID, originID: origin, quantity: filled, value: cost,
                    leftStock: true, account: account))
            let correction = cost - estimate
            correctionTotal += correction
            guard !correction.isZero else { continue }
            let id = ids.layer()
            layers[id] = ValuationLayer(
                id: id, companyID: context.companyID, itemID: context.itemID, scope: layer.scope,
                postingID: layer.postingID, moveID: layer.moveID, kind: .correction, quantity: .zero,
                value: -correction, unitCost: .zero, account: account)
            changes.newLayers.append(id)
        }
        return correctionTotal
    }

    /// Books stock leaving `scope`. FIFO takes the oldest layers (a preferred layer first); average and standard
    /// take the figure, the last units the exact remaining value. Units beyond what is valued in stock leave at the
    /// current unit cost and wait, as a shortfall, for the next incoming stock.
    mutating func issue(
        _ quantity: Quantity, from scope: CostScope, context: ValuationContext, leftStock: Bool,
        prefer preferred: Set<LayerID> = [], shipmentID: Int64? = nil, item: Item, ids: inout IDAllocator,
        changes: inout ChangeSet
    ) -> Outflow {
        var outflow = Outflow()
        guard quantity.isPositive else { return outflow }
        func takes(_ layer: ValuationLayer) -> Bool {
            layer.remainingQuantity.isPositive && (method != .fifo || layer.scope == scope)
                && (shipmentID == nil || layer.shipmentID == shipmentID)
        }
        // Preferred layers first, then the queue from its head, read only as far as the quantity reaches.
        var open = preferred.sorted().compactMap { layers[$0] }.filter(takes)
        var covered = open.reduce(Quantity.zero) { $0 + $1.remainingQuantity }
        for layer in queue(scope) {
            if covered >= quantity { break }
            guard takes(layer), !preferred.contains(layer.id) else { continue }
            open.append(layer)
            covered += layer.remainingQuantity
        }
        var left = quantity
        for var layer in open where left.isPositive {
            let take = min(left, layer.remainingQuantity)
            let value: Money
            if method == .fifo {
                value =
                    take == layer.remainingQuantity
                    ? layer.remainingValue : layer.remainingValue.scaled(by: take, over: layer.remainingQuantity)
                layer.remainingValue -= value
            } else {
                value = .zero
            }
            layer.remainingQuantity -= take
            left -= take
            layers[layer.id] = layer
            changes.updatedLayers.insert(layer.id)
            outflow.uses.append(
                LayerUse(
                    postingID: context.postingID, layerID: layer.id, originID: layer.originID, quantity: take,
                    value: value, leftStock: leftStock, account: context.account))
            outflow.pieces.append(CostPiece(quantity: take, value: value, originID: layer.originID))
            outflow.value += value
        }
        var short = Quantity.zero
        var estimate = Money.zero
        if method == .fifo {
            short = left
            estimate = short.times(currentUnitCost(at: scope.warehouseID, item: item), places: 2)
        } else {
            let figure = currentUnitCost(at: nil, item: item)
            if totals.unitCost == nil { totals.unitCost = figure }
            let onHand = max(totals.quantity, .zero)
            if quantity < onHand {
                outflow.value = quantity.times(figure, places: 2)
            } else {
                short = quantity - onHand
                estimate = short.times(figure, places: 2)
                outflow.value = (onHand.isZero ? .zero : totals.value) + estimate
            }
            outflow.pieces = [CostPiece(quantity: quantity, value: outflow.value, originID: nil)]
        }
        if method == .fifo, short.isPositive {
            outflow.pieces.append(CostPiece(quantity: short, value: estimate, originID: nil))
            outflow.value += estimate
        }
        let id = ids.layer()
        layers[id] = ValuationLayer(
            id: id, companyID: context.companyID, itemID: context.itemID, scope: scope, postingID: context.postingID,
            moveID: context.moveID, kind: .outgoing, quantity: -quantity, value: -outflow.value,
            unitCost: outflow.value.divided(by: quantity), shortQuantity: short, shortValue: estimate,
            shipmentID: shipmentID, account: context.account)
        changes.newLayers.append(id)
        outflow.layerID = id
        var scoped = scopes[scope] ?? CostTotals()
        scoped.quantity -= quantity
        scoped.value -= outflow.value
        scopes[scope] = scoped
        totals.quantity -= quantity
        totals.value -= outflow.value
        changes.costs.insert(.init(itemID: context.itemID, companyID: context.companyID))
        return outflow
    }

    /// Moves valued stock between two scopes of the company (a transfer). FIFO carries the layers; average and
    /// standard only move the quantity, since one figure values the whole company.
    mutating func carry(
        _ quantity: Quantity, from source: CostScope, to destination: CostScope, context: ValuationContext,
        shipmentID: Int64?, item: Item, ids: inout IDAllocator, changes: inout ChangeSet
    ) {
        guard method == .fifo else {
            scopes[source, default: CostTotals()].quantity -= quantity
            scopes[destination, default: CostTotals()].quantity += quantity
            changes.costs.insert(.init(itemID: context.itemID, companyID: context.companyID))
            return
        }
        let sourceShipment = source.isTransit ? shipmentID : nil
        let outflow = issue(
            quantity, from: source, context: context, leftStock: false, shipmentID: sourceShipment, item: item,
            ids: &ids, changes: &changes)
        receive(
            outflow.pieces, into: destination, context: context,
            shipmentID: destination.isTransit ? shipmentID : nil, item: item, ids: &ids, changes: &changes)
        changes.layerUses += outflow.uses
    }

    /// Sets the average or standard figure and revalues the stock on hand to it.
    mutating func revalue(
        to unitCost: Money, context: ValuationContext, ids: inout IDAllocator, changes: inout ChangeSet
    ) {
        totals.unitCost = unitCost
        changes.costs.insert(.init(itemID: context.itemID, companyID: context.companyID))
        guard totals.quantity.isPositive else { return }
        let delta = totals.quantity.times(unitCost, places: 2) - totals.value
        guard !delta.isZero else { return }
        totals.value += delta
        let id = ids.layer()
        layers[id] = ValuationLayer(
            id: id, companyID: context.companyID, itemID: context.itemID, scope: .company, postingID: context.postingID,
            moveID: nil, kind: .revaluation, quantity: .zero, value: delta, unitCost: unitCost,
            account: context.account)
        changes.newLayers.append(id)
    }

    /// The value of `quantity` units at a warehouse: FIFO's layers there, else the company figure.
    public func value(at scope: CostScope, quantity: Quantity) -> Money {
        switch method {
        case .fifo: return scopes[scope]?.value ?? .zero
        case .average, .standard: return quantity.times(totals.unitCost ?? .zero, places: 2)
        }
    }
}
