import Foundation
import OpenAPIRuntime
import Stockline
import StocklineAPI
import StocklineCore

extension APIImplementation {
    func streamEvents(_ input: Operations.StreamEvents.Input) async throws -> Operations.StreamEvents.Output {
        try authorize(.read)
        let start =
            input.headers.lastEventID.flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
            ?? Int64(input.query.after ?? 0)
        let types = input.query.types.map {
            Set($0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) })
        }
        let tail = EventTail(inventory: inventory, after: start, types: types)
        let body = HTTPBody(tail, length: .unknown, iterationBehavior: .single)
        return .ok(.init(body: .textEventStream(body)))
    }
}

/// Follows the outbox from a sequence number, forever: each committed event once, in order, as server-sent event
/// text. While nothing happens it writes a comment line every second, so a client that went away is noticed.
struct EventTail: AsyncSequence, Sendable {
    typealias Element = ArraySlice<UInt8>
    let inventory: Inventory
    let after: Int64
    let types: Set<String>?
    var pollInterval: Duration = .milliseconds(100)
    var keepAlive: Duration = .seconds(1)

    func makeAsyncIterator() -> Iterator { Iterator(tail: self, cursor: after) }

    struct Iterator: AsyncIteratorProtocol {
        let tail: EventTail
        var cursor: Int64
        var buffer: [LedgerEvent] = []
        var quietSince = ContinuousClock.now

        mutating func next() async throws -> ArraySlice<UInt8>? {
            while true {
                try Task.checkCancellation()
                if buffer.isEmpty {
                    buffer = try await tail.inventory.events(after: cursor, limit: 500)
                    if buffer.isEmpty {
                        if ContinuousClock.now - quietSince >= tail.keepAlive {
                            quietSince = ContinuousClock.now
                            return ArraySlice(": keep-alive\n\n".utf8)
                        }
                        try await Task.sleep(for: tail.pollInterval)
                        continue
                    }
                }
                let event = buffer.removeFirst()
                cursor = event.sequence
                guard tail.types?.contains(event.type) ?? true else { continue }
                quietSince = ContinuousClock.now
                let data = String(decoding: try JSONEncoder().encode(EventData(event)), as: UTF8.self)
                return ArraySlice("id: \(event.sequence)\nevent: \(event.type)\ndata: \(data)\n\n".utf8)
            }
        }
    }

    /// The JSON of one streamed event, the same fields as in `GET /v1/events`.
    struct EventData: Encodable {
        var sequence: Int64
        var type: String
        var subject: String
        var payload: [String: String]
        var at: String

        init(_ event: LedgerEvent) {
            sequence = event.sequence
            type = event.type
            subject = event.subject
            payload = event.payload
            at = event.at.iso8601
        }
    }
}
