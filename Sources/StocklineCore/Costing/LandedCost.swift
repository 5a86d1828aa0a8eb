extension Money {
    /// Splits an amount by weights: each share rounded to the minor unit, the last taking what is left.
    public func distributed(by weights: [Fixed]) -> [Money] {
        let total = weights.reduce(Fixed.zero, +)
        guard !weights.isEmpty else { return [] }
        var shares: [Money] = []
        var left = self
        for (index, weight) in weights.enumerated() {
            let share = index == weights.count - 1 ? left : scaled(by: weight, over: total)
            shares.append(share)
            left -= share
        }
        return shares
    }
}

extension Planner {
    /// Adds freight, duty or handling to receipts after the fact: the part on units still in stock raises their
    /// layers, the part on units already gone corrects the cost of the postings that took them.
    mutating func landedCost(_ op: StockOperation.LandedCost) throws(StockError) {
        guard !op.amount.isZero else {
            throw .validationFailed(field: "amount", reason: "a landed cost needs a non-zero amount")
        }
        guard op.amount.magnitude <= Fixed.maximumAmount else {
            throw .validationFailed(field: "amount", reason: "an amount above \(Fixed.maximumAmount) is not accepted")
        }
        guard op.amount == op.amount.roundedMoney else {
            throw .validationFailed(field: "amount", reason: "\(op.amount) has more decimals than the currency")
        }
        guard !op.receipts.isEmpty, Set(op.receipts).count == op.receipts.count else {
            throw .validationFailed(field: "receipts", reason: "name each receipt once")
        }
        var receipts: [(PostingSummary, Item)] = []
        for key in op.receipts {
            let receipt = try posting(key)
            guard receipt.kind == .receive, let itemID = receipt.itemID, let item = state.books[itemID]?.item else {
                throw .invalidState("posting \(key) is not a receipt")
            }
            receipts.append((receipt, item))
        }
        let companies = Set(receipts.compactMap { $0.0.companyID })
        guard companies.count == 1, let companyID = companies.first else {
            throw .invalidState("the receipts of a landed cost must all belong to one company")
        }
        let company = try state.catalog.company(companyID)
        let weights: [Fixed] = try receipts.map { (receipt, item) throws(StockError) -> Fixed in
            switch op.split {
            case .equal: return Fixed(1)
            case .byQuantity: return receipt.quantity
            case .byValue: return receipt.value
            case .byWeight, .byVolume:
                let factor = op.split == .byWeight ? item.weight : item.volume
                guard let factor else {
                    throw .validationFailed(
                        field: "split", reason: "SKU \(item.sku) has no \(op.split == .byWeight ? "weight" : "volume")")
                }
                return receipt.quantity.times(factor)
            }
        }
        guard weights.contains(where: { !$0.isZero }) else {
            throw .invalidState("the receipts weigh nothing by \(op.split.rawValue); choose another split")
        }
        for ((receipt, item), share) in zip(receipts, op.amount.distributed(by: weights)) where !share.isZero {
            var costs = costs(item.id, company)
            let layers = receipt.layers.sorted { $0.id < $1.id }
            for (layer, part) in zip(layers, share.distributed(by: layers.map(\.quantity))) {
                try apply(part, to: layer, receipt: receipt, item: item, costs: &costs)
            }
            setCosts(costs, item.id, company)
        }
        result.value = op.amount
    }

    private mutating func apply(
        _ amount: Money, to receiptLayer: ValuationLayer, receipt: PostingSummary, item: Item,
        costs: inout CostBook
    ) throws(StockError) {
        let holders = costs.layers.values.filter {
            $0.originID == receiptLayer.id && $0.kind == .incoming && $0.remainingQuantity.isPositive
        }
        .sorted { $0.id < $1.id }
        let inStock = holders.reduce(Quantity.zero) { $0 + $1.remainingQuantity }
        let stockPart =
            inStock >= receiptLayer.quantity ? amount : amount.scaled(by: inStock, over: receiptLayer.quantity)
        var gonePart = amount - stockPart
        let context = valuation(item.id, try state.catalog.company(receiptLayer.companyID), move: receiptLayer.moveID)
        func addLayer(
            _ kind: ValuationLayer.Kind, scope: CostScope, posting: Int64, value: Money,
            account: AccountRole? = .landedCostClearing
        ) {
            let id = state.ids.layer()
            costs.layers[id] = ValuationLayer(
                id: id, companyID: context.companyID, itemID: item.id, scope: scope, postingID: posting, moveID: nil,
                kind: kind, quantity: .zero, value: value, unitCost: .zero, originID: receiptLayer.id,
                account: account)
            state.changes.newLayers.append(id)
        }
        switch costs.method {
        case .fifo:
            for (holder, part) in zip(holders, stockPart.distributed(by: holders.map(\.remainingQuantity)))
            where !part.isZero {
                guard var layer = costs.layers[holder.id], layer.remainingValue + part >= .zero else {
                    throw .invalidState("the refund would make the stock value of \(item.sku) negative")
                }
                layer.remainingValue += part
                costs.layers[layer.id] = layer
                state.changes.updatedLayers.insert(layer.id)
                costs.scopes[layer.scope, default: CostTotals()].value += part
                costs.totals.value += part
                addLayer(.landedCost, scope: layer.scope, posting: receipt.id, value: part)
            }
        case .average:
            guard !stockPart.isNegative || costs.totals.value + stockPart >= .zero else {
                throw .invalidState("the refund would make the stock value of \(item.sku) negative")
            }
            if !stockPart.isZero {
                costs.totals.value += stockPart
                if costs.totals.quantity.isPositive {
                    costs.totals.unitCost = costs.totals.value.divided(by: costs.totals.quantity)
                }
                addLayer(.landedCost, scope: .company, posting: receipt.id, value: stockPart)
            }
        case .standard:
            gonePart = amount
        }
        guard !gonePart.isZero else { return }
        var taken: [Int64: Quantity] = [:]
        var charged: [Int64: AccountRole] = [:]
        for use in state.uses[receiptLayer.id] ?? [] where use.leftStock {
            taken[use.postingID, default: .zero] += use.quantity
            charged[use.postingID] = charged[use.postingID] ?? use.account
        }
        let takers = taken.sorted { $0.key < $1.key }
        guard !takers.isEmpty else {
            if costs.method == .standard {
                extraJournalLines += [
                    JournalLine(
                        companyID: context.companyID, itemID: item.id, warehouseID: receiptLayer.scope.warehouseID,
                        role: .priceDifference, amount: gonePart),
                    JournalLine(
                        companyID: context.companyID, itemID: item.id, warehouseID: receiptLayer.scope.warehouseID,
                        role: .landedCostClearing, amount: -gonePart),
                ]
                return
            }
            throw .invalidState(
                "receipt \(receipt.key) has units neither in stock nor delivered; the landed cost cannot be placed")
        }
        for ((posting, _), part) in zip(takers, gonePart.distributed(by: takers.map(\.value))) where !part.isZero {
            addLayer(.landedCost, scope: .company, posting: receipt.id, value: part)
            addLayer(
                .correction, scope: .company, posting: posting, value: -part,
                account: charged[posting] ?? .costOfGoodsSold)
        }
    }
}
