import Foundation

/// Part of a removal: how much of which quant.
struct Pick: Sendable, Hashable {
    var key: QuantKey
    var quantity: Quantity
}

extension Planner {
    // MARK: - Lots and serials

    /// The lots incoming stock goes into: one lot, one lot per serial, or none; refused when tracking is not met.
    mutating func incomingLots(_ item: Item, quantity: Quantity, lot: String?, expiry: String?, serials: [String]?)
        throws(StockError) -> [(LotID?, Quantity)]
    {
        switch item.tracking {
        case .none:
            guard lot == nil, serials == nil else {
                throw .validationFailed(
                    field: lot == nil ? "serials" : "lot", reason: "SKU \(item.sku) is not tracked by lot or serial")
            }
            return [(nil, quantity)]
        case .lot:
            guard let lot, !lot.isEmpty else { throw .lotRequired(sku: item.sku) }
            return [(try lotID(item, name: lot, expiry: expiry), quantity)]
        case .serial:
            guard let serials, !serials.isEmpty else { throw .serialRequired(sku: item.sku) }
            guard Quantity(serials.count) == quantity else {
                throw .serialQuantity(sku: item.sku, serials: serials.count, quantity: quantity)
            }
            var seen = Set<String>()
            for serial in serials {
                guard seen.insert(serial).inserted else { throw .duplicateSerial(sku: item.sku, serial: serial) }
                if let existing = book(item.id).lot(named: serial), isInStock(item.id, lot: existing.id) {
                    throw .duplicateSerial(sku: item.sku, serial: serial)
                }
            }
            var result: [(LotID?, Quantity)] = []
            for serial in serials { result.append((try lotID(item, name: serial, expiry: nil), Fixed(1))) }
            return result
        }
    }

    /// Whether any unit of the lot sits in a warehouse or in transit.
    func isInStock(_ itemID: ItemID, lot: LotID) -> Bool {
        guard let book = state.books[itemID] else { return false }
        return book.quants.values.contains { quant in
            guard quant.key.lotID == lot, quant.quantity.isPositive,
                let location = state.catalog.locations[quant.key.locationID]
            else { return false }
            return location.usage == .internal || location.usage == .transit
        }
    }

    mutating func lotID(_ item: Item, name: String, expiry: String?) throws(StockError) -> LotID {
        if let existing = book(item.id).lot(named: name) { return existing.id }
        var date: Date?
        if let expiry {
            guard let parsed = Planner.parseDate(expiry) else {
                throw .validationFailed(field: "expiry", reason: "\(expiry) is not a date (YYYY-MM-DD)")
            }
            date = parsed
        }
        let lot = Lot(id: state.ids.lot(), itemID: item.id, name: name, expiry: date)
        state.books[item.id]?.lots[lot.id] = lot
        state.changes.newLots.append(lot)
        return lot.id
    }

    /// A planned date given as YYYY-MM-DD, or nil when none is given.
    func plannedDate(_ text: String?, field: String) throws(StockError) -> Date? {
        guard let text else { return nil }
        guard let date = Planner.parseDate(text) else {
            throw .validationFailed(field: field, reason: "\(text) is not a date (YYYY-MM-DD)")
        }
        return date
    }

    static func parseDate(_ text: String) -> Date? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, (1...12).contains(parts[1]), (1...31).contains(parts[2]) else {
            return ISO8601DateFormatter().date(from: text)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        return calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))
    }

    /// The lots an outgoing operation may take from: all when nothing is named.
    func lotFilter(_ item: Item, quantity: Quantity, lot: String?, serials: [String]?) throws(StockError) -> Set<
        LotID?
    >? {
        if let serials {
            guard item.tracking == .serial else {
                throw .validationFailed(field: "serials", reason: "SKU \(item.sku) is not serial-tracked")
            }
            guard Quantity(serials.count) == quantity, Set(serials).count == serials.count else {
                throw .serialQuantity(sku: item.sku, serials: serials.count, quantity: quantity)
            }
            var ids = Set<LotID?>()
            for name in serials {
                guard let id = state.books[item.id]?.lot(named: name)?.id else {
                    throw .insufficientStock(sku: item.sku, at: "serial \(name)", available: .zero, requested: Fixed(1))
                }
                ids.insert(id)
            }
            return ids
        }
        if let lot {
            guard item.tracking != .none else {
                throw .validationFailed(field: "lot", reason: "SKU \(item.sku) is not tracked by lot")
            }
            guard let id = state.books[item.id]?.lot(named: lot)?.id else {
                throw .insufficientStock(sku: item.sku, at: "lot \(lot)", available: .zero, requested: quantity)
            }
            return [id]
        }
        return nil
    }

    // MARK: - Quantities

    /// Quants at `location` and below it.
    func quants(_ itemID: ItemID, in location: Location, lots: Set<LotID?>?) -> [Quant] {
        guard let book = state.books[itemID] else { return [] }
        return book.quants.values.filter { quant in
            guard let at = state.catalog.locations[quant.key.locationID], location.contains(at) else { return false }
            return lots.map { $0.contains(quant.key.lotID) } ?? true
        }
    }

    /// Picks stock to remove: first expiry first for lots with an expiry, then first in first out.
    /// With `allowNegative`, what is missing is taken from `location` itself, below zero.
    func pick(
        _ item: Item, _ quantity: Quantity, from location: Location, lots: Set<LotID?>?,
        includeReserved: Bool = false, allowNegative: Bool
    ) throws(StockError) -> [Pick] {
        let book = state.books[item.id]
        let candidates = quants(item.id, in: location, lots: lots)
            .filter { $0.quantity.isPositive }
            .sorted { lhs, rhs in
                let le = lhs.key.lotID.flatMap { book?.lots[$0]?.expiry } ?? .distantFuture
                let re = rhs.key.lotID.flatMap { book?.lots[$0]?.expiry } ?? .distantFuture
                if le != re { return le < re }
                if lhs.inSequence != rhs.inSequence { return lhs.inSequence < rhs.inSequence }
                return lhs.key.locationID < rhs.key.locationID
            }
        var picks: [Pick] = []
        var left = quantity
        func take(_ key: QuantKey, _ amount: Quantity) {
            guard amount.isPositive else { return }
            if let index = picks.firstIndex(where: { $0.key == key }) {
                picks[index].quantity += amount
            } else {
                picks.append(Pick(key: key, quantity: amount))
            }
            left -= amount
        }
        for quant in candidates where left.isPositive { take(quant.key, min(left, max(quant.unreserved, .zero))) }
        if includeReserved {
            for quant in candidates where left.isPositive { take(quant.key, min(left, quant.reserved)) }
        }
        if left.isPositive {
            let available = quantity - left
            let lot = lots?.first ?? nil
            let key = QuantKey(locationID: location.id, lotID: lot)
            let reservedThere = book?.quants[key]?.reserved ?? .zero
            guard allowNegative, item.tracking == .none || lots?.count == 1, reservedThere.isZero || includeReserved
            else {
                throw .insufficientStock(sku: item.sku, at: location.path, available: available, requested: quantity)
            }
            take(key, left)
        }
        return picks
    }

    /// Whether stock may go below zero at a location.
    func allowsNegative(_ location: Location) -> Bool {
        state.catalog.warehouse(of: location)?.allowNegative ?? true
    }

    mutating func changeQuant(
        _ itemID: ItemID, _ key: QuantKey, by delta: Quantity, reserved: Quantity = .zero,
        sequence: Int64
    ) {
        var quant = state.books[itemID]?.quants[key] ?? Quant(key: key, quantity: .zero, inSequence: sequence)
        if quant.quantity.isZero && quant.reserved.isZero && delta.isPositive { quant.inSequence = sequence }
        quant.quantity += delta
        quant.reserved += reserved
        state.books[itemID]?.quants[key] = quant
        let ref = ChangeSet.QuantRef(itemID: itemID, key: key)
        var change = state.changes.quants[ref] ?? .init(quantity: .zero, reserved: .zero, inSequence: quant.inSequence)
        change.quantity += delta
        change.reserved += reserved
        change.inSequence = quant.inSequence
        state.changes.quants[ref] = change
    }

    /// Records a move; a done move changes the quants at both ends.
    @discardableResult
    mutating func move(
        _ item: Item, _ quantity: Quantity, from: LocationID, to: LocationID, lot: LotID?,
        state moveState: Move.State = .done, kind: OperationKind? = nil, reference: String? = nil,
        origin: MoveID? = nil, planned: Date? = nil
    ) -> MoveID {
        let id = state.ids.move()
        let move = Move(
            id: id, postingID: context.postingID, itemID: item.id, quantity: quantity, fromID: from, toID: to,
            lotID: lot, state: moveState, kind: kind ?? result.kind, plannedAt: planned ?? context.now,
            doneAt: moveState == .done ? context.now : nil, reference: reference, originID: origin)
        state.moves[id] = move
        state.changes.newMoves.append(id)
        result.moveIDs.append(id)
        if moveState == .done {
            changeQuant(item.id, QuantKey(locationID: from, lotID: lot), by: -quantity, sequence: id.rawValue)
            changeQuant(item.id, QuantKey(locationID: to, lotID: lot), by: quantity, sequence: id.rawValue)
            result.quantity += quantity
        }
        return id
    }

    /// Moves picked stock to `destination`, one move per pick.
    @discardableResult
    mutating func move(_ item: Item, picks: [Pick], to destination: LocationID, origin: MoveID? = nil) -> [MoveID] {
        picks.map { pick in
            move(item, pick.quantity, from: pick.key.locationID, to: destination, lot: pick.key.lotID, origin: origin)
        }
    }

    /// Releases reservations on a quant that no longer holds enough to back them (after a count or adjustment).
    mutating func trimReservations(_ itemID: ItemID, _ key: QuantKey) {
        guard var quant = state.books[itemID]?.quants[key], quant.reserved > max(quant.quantity, .zero) else { return }
        var excess = quant.reserved - max(quant.quantity, .zero)
        for (moveID, lines) in state.reservations.sorted(by: { $0.key > $1.key }) where excess.isPositive {
            var lines = lines
            for index in lines.indices where lines[index].key == key && excess.isPositive {
                let release = min(excess, lines[index].quantity)
                lines[index].quantity -= release
                excess -= release
                quant.reserved -= release
                let ref = ChangeSet.QuantRef(itemID: itemID, key: key)
                state.changes.quants[
                    ref, default: .init(quantity: .zero, reserved: .zero, inSequence: quant.inSequence)
                ].reserved -= release
            }
            lines = lines.filter { $0.quantity.isPositive }
            if lines.isEmpty, state.moves[moveID]?.state == .assigned {
                state.moves[moveID]?.state = .confirmed
                state.changes.updatedMoves.insert(moveID)
            }
            state.reservations[moveID] = lines
            state.changes.reservations.insert(moveID)
        }
        state.books[itemID]?.quants[key] = quant
    }
}
