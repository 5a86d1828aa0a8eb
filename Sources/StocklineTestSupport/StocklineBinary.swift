public import Foundation

/// The built `stockline` executable, for end-to-end tests that run it as a separate process.
public struct StocklineBinary: Sendable {
    /// The executable.
    public let url: URL

    public enum LocateError: Error, CustomStringConvertible {
        case notFound(searched: [String])

        public var description: String {
            switch self {
            case .notFound(let searched):
                "the stockline executable was not found; build it first (`swift build`), or set STOCKLINE_BINARY. "
                    + "Looked in: " + searched.joined(separator: ", ")
            }
        }
    }

    public init(url: URL) {
        self.url = url
    }

    /// Finds the executable: `$STOCKLINE_BINARY`, else next to the test bundle (build products share one folder),
    /// else `.build/debug/stockline` of the package this file belongs to.
    ///
    /// - Throws: ``LocateError/notFound(searched:)`` naming every place it looked, so a missing build fails loudly.
    public static func locate(filePath: String = #filePath) throws -> StocklineBinary {
        var candidates: [URL] = []
        if let override = ProcessInfo.processInfo.environment["STOCKLINE_BINARY"], !override.isEmpty {
            candidates.append(URL(fileURLWithPath: override))
        }
        let bundle = Bundle.main.bundleURL
        candidates.append(bundle.appendingPathComponent("stockline"))
        candidates.append(bundle.deletingLastPathComponent().appendingPathComponent("stockline"))
        if let executable = CommandLine.arguments.first {
            candidates.append(
                URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("stockline"))
        }
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("stockline"))
        }
        // Sources/StocklineTestSupport/StocklineBinary.swift -> the package root.
        let root = URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/stockline"))
        var seen = Set<String>()
        for candidate in candidates {
            let path = candidate.standardizedFileURL.path
            guard seen.insert(path).inserted else { continue }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                FileManager.default.isExecutableFile(atPath: path)
            {
                return StocklineBinary(url: URL(fileURLWithPath: path))
            }
        }
        throw LocateError.notFound(searched: Array(seen).sorted())
    }

    /// What a finished run printed and how it ended.
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `stockline arguments…` to completion with `input` on standard input.
    public func run(_ arguments: [String], input: String = "") throws -> Output {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Drain both pipes while writing, so neither side blocks on a full pipe.
        let collected = DrainedPipes(stdout: stdout, stderr: stderr)
        try stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        let (out, err) = collected.wait()
        return Output(status: process.terminationStatus, stdout: out, stderr: err)
    }
}

/// Reads two pipes to their end on background threads.
private final class DrainedPipes: @unchecked Sendable {
    private var out = Data()
    private var err = Data()
    private let group = DispatchGroup()

    init(stdout: Pipe, stderr: Pipe) {
        group.enter()
        group.enter()
        Thread.detachNewThread { [self] in
            out = stdout.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        Thread.detachNewThread { [self] in
            err = stderr.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
    }

    func wait() -> (String, String) {
        group.wait()
        return (String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }
}
