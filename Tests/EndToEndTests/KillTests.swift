import Foundation
import StocklineTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs the real `stockline` binary, kills it with SIGKILL in the middle of a JSON Lines feed, and checks that what
/// it acknowledged was durable and that re-sending the feed posts every operation exactly once.
@Suite("end to end: kill -9 during `stockline post`", .serialized)
struct KillTests {
    static let masterData = [
        #"{"company": {"code": "ACME", "currency": "EUR", "costing": "fifo"}}"#,
        #"{"warehouse": {"code": "WH1", "company": "ACME"}}"#,
        #"{"warehouse": {"code": "WH2", "company": "ACME"}}"#,
        #"{"item": {"sku": "P1", "uom": "unit"}}"#,
        #"{"item": {"sku": "P2", "uom": "unit"}}"#,
    ]

    /// One operation of the feed, with what it changes where.
    struct Line {
        var key: String
        var json: String
        var sku: String
        var warehouse: String
        /// Positive for a receipt, negative for a delivery.
        var change: Int
    }

    /// `count` operations with distinct keys over two items in two warehouses: each place cycles through a receipt
    /// of 5 and deliveries of 2, 2 and 1 (so FIFO layers stay few and postings stay fast), and the last lines are
    /// receipts that stay in stock.
    static func feed(_ count: Int) -> [Line] {
        let cycle = [5, -2, -2, -1]
        let places = [("P1", "WH1"), ("P2", "WH1"), ("P1", "WH2"), ("P2", "WH2")]
        return (0..<count).map { index in
            let (sku, warehouse) = places[index % places.count]
            let change = index >= count - 2 * places.count ? index % 3 + 1 : cycle[(index / places.count) % cycle.count]
            let key = "feed-\(index + 1)"
            let json =
                change > 0
                ? #"{"key": "\#(key)", "receive": {"sku": "\#(sku)", "qty": \#(change), "unit_cost": \#(index % 7 + 1), "at": "\#(warehouse)"}}"#
                : #"{"key": "\#(key)", "deliver": {"sku": "\#(sku)", "qty": \#(-change), "from": "\#(warehouse)"}}"#
            return Line(key: key, json: json, sku: sku, warehouse: warehouse, change: change)
        }
    }

    @Test("every acknowledged posting survives SIGKILL; re-sending the feed posts each operation exactly once")
    func killDuringPost() async throws {
        let binary = try StocklineBinary.locate()
        let directory = try TemporaryLedger.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("ledger.sqlite").path

        let setup = try binary.run(["post", "--db", database], input: Self.masterData.joined(separator: "\n") + "\n")
        #expect(setup.status == 0, "master data: \(setup.stdout) \(setup.stderr)")

        let lines = Self.feed(4_000)
        let stream = lines.map(\.json)
        // Kill twice: early in the first run, later in a second run that re-sends everything from the start.
        for (round, killAfter) in [(1, 1_000), (2, 2_500)] {
            let run = try FeedRun.start(binary: binary, database: database, lines: Self.masterData + stream)
            let acknowledged = run.killAfter(acknowledgements: killAfter)
            #expect(
                run.wasKilled,
                "round \(round): the process ended before it could be killed (\(acknowledged.count) acks)")
            #expect(acknowledged.count >= killAfter, "round \(round): only \(acknowledged.count) acknowledgements")
            #expect(acknowledged.count < lines.count, "round \(round): the feed finished before the kill")
            let ledger = try await LedgerFile.open(path: database)
            let posted = try await ledger.postedKeys(among: lines.map(\.key))
            print(
                "kill round \(round): \(acknowledged.count) acknowledged before SIGKILL, \(posted.count) in the ledger")
            let lost = acknowledged.subtracting(posted)
            #expect(
                lost.isEmpty,
                "round \(round): \(lost.count) acknowledged postings are missing, e.g. \(lost.sorted().prefix(5))")
            #expect(try await ledger.postingCount() == posted.count, "round \(round): postings without a feed key")
            let problems = try await ledger.problems()
            #expect(problems.isEmpty, "round \(round): \(problems)")
        }

        // Re-send the whole feed: everything is acknowledged, nothing is posted twice.
        let final = try binary.run(
            ["post", "--db", database], input: (Self.masterData + stream).joined(separator: "\n") + "\n")
        #expect(final.status == 0, "re-sending the feed: \(final.stderr)")
        let acks = final.stdout.split(separator: "\n").compactMap { FeedRun.acknowledgement(String($0)) }
        #expect(acks.count == lines.count, "\(acks.count) operations acknowledged, \(lines.count) sent")

        let ledger = try await LedgerFile.open(path: database)
        #expect(try await ledger.postingCount() == lines.count, "each operation is posted exactly once")
        #expect(try await ledger.postedKeys(among: lines.map(\.key)).count == lines.count)
        #expect(try await ledger.moveCount() == lines.count, "one move per receipt or delivery")
        for sku in ["P1", "P2"] {
            for warehouse in ["WH1", "WH2"] {
                let expected = lines.filter { $0.sku == sku && $0.warehouse == warehouse }.reduce(0) { $0 + $1.change }
                #expect(expected > 0)
                #expect(try await ledger.onHand(sku: sku, at: warehouse) == Decimal(expected), "\(sku) at \(warehouse)")
            }
        }
        let verify = try binary.run(["verify", "--db", database])
        #expect(verify.status == 0, "stockline verify: \(verify.stdout) \(verify.stderr)")
        #expect(verify.stdout.contains("ledger sound"))
    }

    @Test("the binary is found, or the test says where it looked")
    func binaryIsBuilt() throws {
        let binary = try StocklineBinary.locate()
        let help = try binary.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("post"))
    }
}

/// A `stockline post` process being fed lines on one thread while its acknowledgements are read on another.
final class FeedRun: @unchecked Sendable {
    let process: Process
    private let input: FileHandle
    private let output: FileHandle
    private let lock = NSLock()
    private var acknowledged: Set<String> = []
    private var killed = false
    private var pending = Data()

    private init(process: Process, input: FileHandle, output: FileHandle) {
        self.process = process
        self.input = input
        self.output = output
    }

    static func start(binary: StocklineBinary, database: String, lines: [String]) throws -> FeedRun {
        signal(SIGPIPE, SIG_IGN)  // writing to a killed process must fail, not end the test runner
        let process = Process()
        process.executableURL = binary.url
        process.arguments = ["post", "--db", database]
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        let run = FeedRun(process: process, input: stdin.fileHandleForWriting, output: stdout.fileHandleForReading)
        Thread.detachNewThread { run.feed(lines) }
        return run
    }

    /// Writes the lines in small chunks with pauses, so the process posts many batches while being fed.
    private func feed(_ lines: [String]) {
        var index = 0
        while index < lines.count {
            let chunk = lines[index..<min(index + 50, lines.count)]
            do {
                try input.write(contentsOf: Data((chunk.joined(separator: "\n") + "\n").utf8))
            } catch {
                return  // the process is gone
            }
            index += chunk.count
            Thread.sleep(forTimeInterval: 0.002)
        }
        try? input.close()
    }

    /// Reads acknowledgements until `count` have arrived, then kills the process with SIGKILL; returns every key
    /// acknowledged before the process died (acknowledgements still in the pipe included).
    func killAfter(acknowledgements count: Int) -> Set<String> {
        while true {
            let data = output.availableData
            if data.isEmpty { break }  // end of output: the process exited or was killed
            let keys = receive(data)
            lock.withLock { acknowledged.formUnion(keys) }
            if lock.withLock({ acknowledged.count >= count && !killed }) {
                kill(process.processIdentifier, SIGKILL)
                lock.withLock { killed = true }
            }
        }
        process.waitUntilExit()
        try? input.close()
        return lock.withLock { acknowledged }
    }

    var wasKilled: Bool {
        lock.withLock { killed } && process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL
    }

    /// Complete lines of output (a line cut by the kill is dropped), as acknowledged keys.
    private func receive(_ data: Data) -> [String] {
        pending.append(data)
        var keys: [String] = []
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
            pending.removeSubrange(pending.startIndex...newline)
            if let key = Self.acknowledgement(line) { keys.append(key) }
        }
        return keys
    }

    /// The key of an acknowledgement line (`{"line":7,"key":"k1","kind":"receive","posting":"3","status":"ok"}`).
    static func acknowledgement(_ line: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            object["status"] as? String == "ok", let key = object["key"] as? String
        else { return nil }
        return key
    }
}
