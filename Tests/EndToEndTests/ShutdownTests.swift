import Foundation
import StocklineTestSupport
import Synchronization
import Testing

/// SIGTERM under load: the server drains what it accepted within a bounded time and exits, and every write it
/// acknowledged is in the ledger.
@Suite("end to end: shutdown under load", .serialized)
struct ShutdownTests {
    static func line(_ key: String) -> String {
        #"{"key": "\#(key)", "operation": {"receive": {"sku": "P1", "qty": 1, "unit_cost": 2, "at": "WH1"}}}"#
    }

    @Test("SIGTERM while 4 clients send batches: the instance exits within 15 s and loses nothing acknowledged")
    func terminateUnderLoad() async throws {
        let cluster = try await Deployment.start(instances: 2)
        defer { cluster.stop() }
        let progress = ShutdownProgress()
        let exit = await withTaskGroup(of: Duration?.self) { group in
            for client in 0..<4 {
                group.addTask {
                    defer { progress.finished.withLock { $0 += 1 } }
                    for round in 0..<40 {
                        let keys = (0..<100).map { "term-\(client)-\(round)-\($0)" }
                        let body =
                            #"{"atomic": false, "operations": ["# + keys.map(Self.line).joined(separator: ",") + "]}"
                        progress.started.withLock { $0 += 1 }
                        guard let (status, text) = try? await cluster.postBatch(body, instance: 0), status == 200,
                            let page = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                            let results = page["results"] as? [[String: Any]]
                        else { return nil }
                        let posted = zip(keys, results).filter { $0.1["status"] as? String == "ok" }.map(\.0)
                        progress.acknowledged.withLock { $0 += posted }
                    }
                    return nil
                }
            }
            group.addTask {
                while progress.acknowledged.withLock({ $0.count }) < 200 {
                    guard progress.finished.withLock({ $0 }) < 4 else { return nil }
                    try? await Task.sleep(for: .milliseconds(20))
                }
                let signalled = ContinuousClock.now
                cluster.terminate(instance: 0)
                while cluster.isRunning(instance: 0), ContinuousClock.now - signalled < .seconds(30) {
                    try? await Task.sleep(for: .milliseconds(20))
                }
                return ContinuousClock.now - signalled
            }
            var exit: Duration?
            for await result in group { exit = exit ?? result }
            return exit
        }
        let keys = progress.acknowledged.withLock { $0 }
        print("shutdown: exited \(exit.map { "\($0)" } ?? "never") after SIGTERM; \(keys.count) lines acknowledged")
        let waited = try #require(exit)
        #expect(waited < .seconds(15), "the instance took \(waited) to exit after SIGTERM")
        #expect(!cluster.isRunning(instance: 0))
        #expect(progress.started.withLock { $0 } < 160, "some batches were still to come when the signal arrived")
        #expect(keys.count < 16_000, "the signal stopped the load")
        var missing: [String] = []
        for key in stride(from: 0, to: keys.count, by: 97).map({ keys[$0] }) + keys.suffix(50) {
            let (status, _) = try await cluster.get("/v1/postings/\(key)", instance: 1)
            if status != 200 { missing.append(key) }
        }
        #expect(missing.isEmpty, "acknowledged but missing: \(missing.prefix(5))")
        let verify = try cluster.binary.run(["verify", "--db", cluster.url])
        #expect(verify.status == 0, "stockline verify: \(verify.stdout) \(verify.stderr)")
    }
}

/// What the clients of the shutdown test share: the lines acknowledged, and how many batches were sent.
final class ShutdownProgress: Sendable {
    let acknowledged = Mutex<[String]>([])
    let started = Mutex(0)
    let finished = Mutex(0)
}
