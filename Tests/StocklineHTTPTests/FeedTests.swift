import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOHTTP1
import Stockline
import StocklineCore
import StocklineHTTP
import Testing

@Suite("changes feed")
struct FeedTests {
    @Test("a reader paging the feed while 8 writers post sees every event once, in order, with no gaps")
    func feedUnderConcurrentWriters() async throws {
        let world = try await APIWorld()
        let admin = world.admin
        let inventory = world.inventory
        let writers = 8, postingsPerWriter = 25
        try await world.test { client in
            let start = try await inventory.events(after: 0, limit: 1000).last?.sequence ?? 0
            async let written: Void = withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        for index in 0..<postingsPerWriter {
                            try await inventory.post(
                                .receive(.init(sku: "P1", qty: Fixed(1), at: "WH1", unitCost: Fixed(2))),
                                key: "w\(writer)-\(index)")
                        }
                    }
                }
                try await group.waitForAll()
            }
            var seen: [Int] = []
            var keys = Set<String>()
            var after = Int(start)
            let deadline = ContinuousClock.now + .seconds(60)
            while keys.count < writers * postingsPerWriter, ContinuousClock.now < deadline {
                let (status, page) = try await client.send(.get, "/v1/events?after=\(after)&limit=37", token: admin)
                #expect(status == 200)
                let events = page["events"] as? [[String: Any]] ?? []
                for event in events {
                    seen.append(event["sequence"] as? Int ?? -1)
                    if event["type"] as? String == "posting.receive", let key = event["subject"] as? String {
                        keys.insert(key)
                    }
                }
                after = page["next"] as? Int ?? after
                if events.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
            }
            try await written
            #expect(keys.count == writers * postingsPerWriter)
            #expect(
                seen == Array((Int(start) + 1)...(Int(start) + seen.count)),
                "the feed skipped or repeated a sequence number")
        }
    }

    @Test("the event stream resumes after a disconnect from Last-Event-ID without losing or repeating an event")
    func streamResumes() async throws {
        let world = try await APIWorld()
        let inventory = world.inventory
        for index in 0..<5 {
            try await inventory.post(
                .receive(.init(sku: "P1", qty: Fixed(1), at: "WH1", unitCost: Fixed(1))), key: "a\(index)")
        }
        let app = try buildApplication(
            inventory: inventory, configuration: .init(port: 0), logger: Logger(label: "test"))
        let admin = world.admin
        try await app.test(.live) { client in
            guard let port = client.port else {
                Issue.record("the live test server has no port")
                return
            }
            let first = try await Self.read(
                port: port, token: admin, lastEventID: nil, count: 3, types: "posting.receive")
            #expect(first.map(\.subject) == ["a0", "a1", "a2"])
            for index in 5..<8 {
                try await inventory.post(
                    .receive(.init(sku: "P1", qty: Fixed(1), at: "WH1", unitCost: Fixed(1))), key: "a\(index)")
            }
            let rest = try await Self.read(
                port: port, token: admin, lastEventID: first.last?.id, count: 5, types: "posting.receive")
            #expect(rest.map(\.subject) == ["a3", "a4", "a5", "a6", "a7"])
        }
    }

    struct StreamedEvent {
        var id: String
        var subject: String
    }

    /// Opens the stream, reads `count` events and disconnects.
    static func read(port: Int, token: String, lastEventID: String?, count: Int, types: String) async throws
        -> [StreamedEvent]
    {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/events/stream?types=\(types)")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "text/event-stream")
        if let lastEventID { request.headers.add(name: "Last-Event-ID", value: lastEventID) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        #expect(response.status == .ok)
        var events: [StreamedEvent] = []
        var text = ""
        for try await chunk in response.body {
            text += String(buffer: chunk)
            while let end = text.range(of: "\n\n") {
                let block = text[..<end.lowerBound]
                text = String(text[end.upperBound...])
                var id = "", data = ""
                for line in block.split(separator: "\n") {
                    if line.hasPrefix("id:") { id = line.dropFirst(3).trimmingCharacters(in: .whitespaces) }
                    if line.hasPrefix("data:") { data = line.dropFirst(5).trimmingCharacters(in: .whitespaces) }
                }
                let object = try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any]
                events.append(StreamedEvent(id: id, subject: object?["subject"] as? String ?? ""))
                if events.count == count { return events }
            }
        }
        return events
    }
}
