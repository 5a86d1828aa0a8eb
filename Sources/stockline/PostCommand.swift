import ArgumentParser
import Foundation
import Stockline
import StocklineCore
import StocklineScenario
import Synchronization

struct PostCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "post",
        abstract: "Post operations read as JSON Lines from standard input.",
        discussion: """
            Each line is one operation written like a scenario step, with optional "key" (its idempotency key),
            "actor", "reason" and "reference" (an external document number), e.g.
              {"key": "feed-2026-11-25-17", "receive": {"sku": "P1", "qty": 10, "unit_cost": 4, "at": "WH1"}}
            or master data: {"company": {...}}, {"warehouse": {...}}, {"location": {...}}, {"item": {...}}.
            An acknowledgement line is printed for each operation only after it is committed; a bad line gets an
            error line with its number and code, and the rest go on. Re-sending lines with the same keys posts nothing twice.
            """)

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Who posts, recorded on every posting.") var actor = "import"
    @Option(help: "The system the feed comes from.") var source = "jsonl"

    func run() async throws {
        let inventory = try await Inventory.open(path: database.path)
        let reader = LineReader()
        reader.start()
        var failures = 0
        var number = 0
        while let lines = await reader.next() {
            var batch: [(Int, PostingRequest)] = []
            var output: [Int: String] = [:]
            for line in lines {
                number += 1
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                guard !trimmed.isEmpty else { continue }
                do {
                    switch try await parse(trimmed, inventory: inventory) {
                    case .posting(let request): batch.append((number, request))
                    case .done(let message): output[number] = message
                    }
                } catch {
                    failures += 1
                    output[number] = errorLine(number, error)
                }
            }
            if !batch.isEmpty {
                let results = try await inventory.postBatch(batch.map(\.1))
                for ((line, request), result) in zip(batch, results) {
                    switch result {
                    case .success(let posting):
                        output[line] = encode([
                            "line": "\(line)", "status": "ok", "key": request.key,
                            "posting": "\(posting.postingID)", "kind": posting.kind.rawValue,
                        ])
                    case .failure(let error):
                        failures += 1
                        output[line] = errorLine(line, error)
                    }
                }
            }
            for line in output.keys.sorted() { print(output[line] ?? "") }
            fflush(nil)
        }
        if failures > 0 {
            printError("stockline: \(failures) line\(failures == 1 ? "" : "s") refused")
            throw ExitCode(1)
        }
    }

    enum Parsed {
        case posting(PostingRequest)
        case done(String)
    }

    func parse(_ line: String, inventory: Inventory) async throws -> Parsed {
        let document = try DocumentValue.parseJSON(line)
        guard let fields = document.object else { throw DocumentError(path: "", reason: "a line is a JSON object") }
        var key: String?
        var reason: String?
        var reference: String?
        var lineActor: String?
        var operation: (String, DocumentValue)?
        for (name, value) in fields {
            switch name {
            case "key": key = value.text
            case "reason": reason = value.text
            case "reference": reference = value.text
            case "actor": lineActor = value.text
            default:
                guard operation == nil else { throw DocumentError(path: "", reason: "a line holds one operation") }
                operation = (name, value)
            }
        }
        guard let (kind, value) = operation else { throw DocumentError(path: "", reason: "no operation on the line") }
        if let setup = try masterData(kind, value) {
            return .done(try await create(setup, inventory: inventory, kind: kind))
        }
        let op = try StockOperation.decode(kind: kind, fields: value, at: "")
        return .posting(
            PostingRequest(
                key: key ?? inventory.environment.newKey(), operation: op, actor: lineActor ?? actor,
                source: source, reason: reason, reference: reference,
                now: inventory.environment.now()))
    }

    func masterData(_ kind: String, _ value: DocumentValue) throws -> Scenario.Setup? {
        switch kind {
        case "company":
            Scenario.Setup(companies: [try StrictDecoder.decode(Scenario.CompanySpec.self, from: value, at: kind)])
        case "warehouse":
            Scenario.Setup(
                companies: [],
                warehouses: [try StrictDecoder.decode(Scenario.WarehouseSpec.self, from: value, at: kind)])
        case "location":
            Scenario.Setup(
                companies: [], locations: [try StrictDecoder.decode(Scenario.LocationSpec.self, from: value, at: kind)])
        case "item":
            Scenario.Setup(
                companies: [], items: [try StrictDecoder.decode(Scenario.ItemSpec.self, from: value, at: kind)])
        default: nil
        }
    }

    /// Master data is created at once; creating what already exists is acknowledged, so a feed can be re-sent.
    func create(_ setup: Scenario.Setup, inventory: Inventory, kind: String) async throws -> String {
        let status: String
        do {
            try await ScenarioRunner.build(setup, in: inventory)
            status = "created"
        } catch let error as StockError where error.code == "conflict" {
            status = "exists"
        }
        return encode(["status": status, "kind": kind])
    }

    func errorLine(_ line: Int, _ error: any Error) -> String {
        let code = (error as? StockError)?.code ?? "validation_failed"
        return encode(["line": "\(line)", "status": "error", "error": code, "message": "\(error)"])
    }

    func encode(_ fields: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var fields = fields
        let line = fields.removeValue(forKey: "line")
        var text = String(decoding: (try? encoder.encode(fields)) ?? Data(), as: UTF8.self)
        if let line { text = "{\"line\":\(line)," + text.dropFirst() }
        return text
    }
}

/// Reads standard input on its own thread and hands over every line that has arrived, so a slow feed is posted as
/// it comes and a fast one in large batches.
final class LineReader: Sendable {
    private let buffer = Mutex<(lines: [String], finished: Bool)>(([], false))
    private let signal: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() {
        (signal, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    func start() {
        let thread = Thread { [self] in
            while let line = readLine(strippingNewline: true) {
                buffer.withLock { $0.lines.append(line) }
                continuation.yield()
            }
            buffer.withLock { $0.finished = true }
            continuation.yield()
            continuation.finish()
        }
        thread.start()
    }

    /// The lines that arrived since the last call (at most 1,000), or nil at the end of input.
    func next() async -> [String]? {
        var iterator = signal.makeAsyncIterator()
        while true {
            let (lines, finished) = buffer.withLock { state -> ([String], Bool) in
                let taken = Array(state.lines.prefix(1000))
                state.lines.removeFirst(taken.count)
                return (taken, state.finished && state.lines.isEmpty)
            }
            if !lines.isEmpty { return lines }
            if finished { return nil }
            await iterator.next()
        }
    }
}
