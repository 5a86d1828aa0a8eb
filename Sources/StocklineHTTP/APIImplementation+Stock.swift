import Foundation
import OpenAPIRuntime
import Stockline
import StocklineAPI
import StocklineCore

extension APIImplementation {
    func getStock(_ input: Operations.GetStock.Input) async throws -> Operations.GetStock.Output {
        try authorize(.read)
        var positions: [Components.Schemas.Position] = []
        for sku in input.query.sku {
            let position = try await inventory.position(sku: sku, at: input.query.at, lot: input.query.lot)
            positions.append(
                .init(
                    sku: sku, at: input.query.at, lot: input.query.lot, onHand: position.onHand.double,
                    available: position.available.double, reserved: position.reserved.double,
                    blocked: position.blocked.double,
                    inTransit: position.inTransit.double, incoming: position.incoming.double,
                    outgoing: position.outgoing.double,
                    value: position.value.double, unitCost: position.unitCost.double))
        }
        return .ok(.init(body: .json(positions)))
    }

    func getProjection(_ input: Operations.GetProjection.Input) async throws -> Operations.GetProjection.Output {
        try authorize(.read)
        let timeline = try await inventory.projection(sku: input.path.sku, at: input.query.at)
        return .ok(
            .init(
                body: .json(
                    .init(
                        sku: input.path.sku, at: input.query.at, start: timeline.start.double,
                        points: timeline.points.map {
                            .init(
                                date: $0.date.iso8601, incoming: $0.incoming.double, outgoing: $0.outgoing.double,
                                projected: $0.projected.double)
                        }))))
    }

    func listMoves(_ input: Operations.ListMoves.Input) async throws -> Operations.ListMoves.Output {
        try authorize(.read)
        let moves = try await inventory.moves(sku: input.query.sku, limit: input.query.limit ?? 100)
        let catalog = try await inventory.catalog()
        return .ok(.init(body: .json(moves.map { Self.schema($0, catalog: catalog) })))
    }

    func listReservations(_ input: Operations.ListReservations.Input) async throws -> Operations.ListReservations.Output
    {
        try authorize(.read)
        let moves = try await inventory.reservations(order: input.path.order)
        let catalog = try await inventory.catalog()
        return .ok(.init(body: .json(moves.map { Self.schema($0, catalog: catalog) })))
    }

    func listEvents(_ input: Operations.ListEvents.Input) async throws -> Operations.ListEvents.Output {
        try authorize(.read)
        let after = Int64(input.query.after ?? 0)
        let limit = input.query.limit ?? 100
        let types = input.query.types.map {
            Set($0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) })
        }
        let events = try await inventory.events(after: after, limit: limit)
        let next = events.last?.sequence ?? after
        let kept = events.filter { types?.contains($0.type) ?? true }
        return .ok(
            .init(
                body: .json(
                    .init(
                        events: kept.map {
                            .init(
                                sequence: Int($0.sequence), _type: $0.type, subject: $0.subject,
                                payload: .init(additionalProperties: $0.payload), at: $0.at.iso8601)
                        },
                        next: Int(next), latest: Int(try await inventory.latestEventSequence())))))
    }

    static func schema(_ move: Move, catalog: Catalog) -> Components.Schemas.Move {
        .init(
            id: Int(move.id.rawValue), posting: Int(move.postingID), kind: move.kind.rawValue,
            state: move.state.rawValue,
            quantity: move.quantity.double, from: catalog.locations[move.fromID]?.path ?? "?",
            to: catalog.locations[move.toID]?.path ?? "?", lot: move.lotID.map { String($0.rawValue) },
            reference: move.reference, plannedAt: move.plannedAt.iso8601, doneAt: move.doneAt?.iso8601)
    }
}

extension APIImplementation {
    func getPosting(_ input: Operations.GetPosting.Input) async throws -> Operations.GetPosting.Output {
        try authorize(.read)
        guard let posting = try await inventory.posting(key: input.path.key) else {
            throw Problem.notFound("no posting with key \(input.path.key)")
        }
        let sku = try await inventory.skus(of: [posting.itemID].compactMap { $0 }).values.first
        return .ok(
            .init(
                body: .json(
                    .init(
                        posting: Int(posting.id), key: posting.key, kind: posting.kind.rawValue, sku: sku,
                        quantity: posting.quantity.double, value: posting.value.double,
                        returned: posting.returnedQuantity.double))))
    }

    func getStockValue(_ input: Operations.GetStockValue.Input) async throws -> Operations.GetStockValue.Output {
        try authorize(.read)
        let value = try await inventory.totalValue(sku: input.path.sku, company: input.query.company)
        return .ok(.init(body: .json(.init(sku: input.path.sku, company: input.query.company, value: value.double))))
    }

    func verifyLedger(_ input: Operations.VerifyLedger.Input) async throws -> Operations.VerifyLedger.Output {
        try authorize(.readAudit)
        let problems = try await inventory.verify()
        return .ok(.init(body: .json(.init(sound: problems.isEmpty, problems: problems))))
    }
}
