import Foundation

/// The machine and build a run measured, so figures are never quoted without them.
public struct BenchMachine: Sendable, Hashable, Codable {
    public var cores: Int
    public var memory: String
    public var cpu: String
    public var os: String
    public var kernel: String
    public var swift: String
    public var build: String
    public var date: String
    public var store: String
    public var scale: String

    public static func current(store: BenchStore, scale: String) -> BenchMachine {
        let info = ProcessInfo.processInfo
        return BenchMachine(
            cores: info.activeProcessorCount,
            memory: String(format: "%.1f GiB", Double(info.physicalMemory) / 1_073_741_824),
            cpu: firstValue(in: "/proc/cpuinfo", key: "model name") ?? "unknown",
            os: firstValue(in: "/etc/os-release", key: "PRETTY_NAME", separator: "=")?
                .trimmingCharacters(in: CharacterSet(charactersIn: "\"")) ?? info.operatingSystemVersionString,
            kernel: (try? String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? info.operatingSystemVersionString,
            swift: compilerVersion, build: buildConfiguration,
            date: Date().formatted(.iso8601), store: store.describe(), scale: scale)
    }

    static var buildConfiguration: String {
        #if DEBUG
            "debug"
        #else
            "release"
        #endif
    }

    static var compilerVersion: String {
        #if compiler(>=6.4)
            "6.4 or later"
        #elseif compiler(>=6.3)
            "6.3"
        #elseif compiler(>=6.2)
            "6.2"
        #else
            "6.1"
        #endif
    }

    static func firstValue(in file: String, key: String, separator: Character = ":") -> String? {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: separator, maxSplits: 1)
            if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == key {
                return parts[1].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }
}

/// What `stockline bench --json` prints: exactly one object.
public struct BenchReport: Sendable, Hashable, Codable {
    public var machine: BenchMachine
    public var results: [BenchResult]

    public init(machine: BenchMachine, results: [BenchResult]) {
        self.machine = machine
        self.results = results
    }
}
