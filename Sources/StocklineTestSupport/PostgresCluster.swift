import Foundation
public import StocklineStore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A PostgreSQL server for tests: the one CI provides, or a throwaway cluster started on first use.
///
/// Where the URL comes from, in order:
/// 1. `$STOCKLINE_TEST_POSTGRES_URL` (CI sets it, see `.ci/run`);
/// 2. a cluster of its own: when the server binaries are installed (`/usr/lib/postgresql/*/bin/initdb`), `initdb`
///    into a temporary folder, a free port, `pg_ctl start`, with `fsync` off (nothing here needs to survive a
///    crash); run as the `postgres` user when the tests run as root, since the server refuses to run as root. It is
///    stopped and removed when the test process exits, and a cluster left behind by a crashed run is reaped by the
///    next one;
/// 3. otherwise ``PostgresClusterError/unavailable(_:)`` says why. Tests must then fail when ``isRequired`` (CI) and
///    may skip, visibly, on a developer machine.
///
/// Each test should use a schema of its own (``temporaryStore()``), so tests run in parallel on one server.
public enum PostgresCluster {
    /// Whether a missing server is a failure rather than a reason to skip: on CI (`CI=true`).
    public static var isRequired: Bool {
        ["true", "1", "yes"].contains(ProcessInfo.processInfo.environment["CI"]?.lowercased() ?? "")
    }

    /// The server's URL, starting the throwaway cluster the first time it is needed.
    public static func url() async throws(PostgresClusterError) -> String {
        let task = startup.withLock { task in
            if let task { return task }
            let started = Task { await start() }
            task = started
            return started
        }
        return try await task.value.get()
    }

    /// A migrated store in a fresh schema (`t_<random>`) of the test server; hand it to ``remove(_:)`` afterwards.
    ///
    /// Its pool is small (`maximumConnections`), since many tests run at once against one server.
    public static func temporaryStore(prefix: String = "t", maximumConnections: Int = 4) async throws
        -> PostgresLedgerStore
    {
        try await PostgresLedgerStore.scratch(
            url: try await url(), prefix: prefix, maximumConnections: maximumConnections)
    }

    /// Drops the store's schema and closes its connections.
    public static func remove(_ store: PostgresLedgerStore) async {
        try? await store.dropSchema()
        await store.shutdown()
    }

    /// A schema name no other test uses: `prefix_` and 16 random hex digits.
    public static func freshSchema(prefix: String = "t") -> String {
        let random = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        return "\(prefix)_\(random)"
    }

    // MARK: - The throwaway cluster

    private static let startup = Mutex<Task<Result<String, PostgresClusterError>, Never>?>(nil)
    private static let running = Mutex<Cluster?>(nil)
    private static let folderPrefix = "stockline-pg-"

    /// What is needed to stop a started cluster.
    private struct Cluster: Sendable {
        var bin: URL
        var folder: URL
        var asPostgres: Bool
    }

    private static func start() async -> Result<String, PostgresClusterError> {
        if let url = ProcessInfo.processInfo.environment["STOCKLINE_TEST_POSTGRES_URL"], !url.isEmpty {
            return .success(url)
        }
        guard let bin = serverBinaries() else {
            return .failure(
                .unavailable(
                    "no PostgreSQL: $STOCKLINE_TEST_POSTGRES_URL is not set and no server binaries are installed "
                        + "(/usr/lib/postgresql/*/bin/initdb; apt-get install postgresql)"))
        }
        let asPostgres = getuid() == 0
        // Short and reachable by the `postgres` user: the server's socket path must stay under ~100 characters.
        let base =
            FileManager.default.fileExists(atPath: "/tmp")
            ? URL(fileURLWithPath: "/tmp") : FileManager.default.temporaryDirectory
        reapOrphans(in: base, bin: bin, asPostgres: asPostgres)
        let name = folderPrefix + UUID().uuidString.lowercased().prefix(8)
        let folder = base.appendingPathComponent(name, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try String(getpid()).write(to: folder.appendingPathComponent("owner"), atomically: true, encoding: .utf8)
            if asPostgres { try await run("/bin/chown", ["-R", "postgres", folder.path]) }
            let data = folder.appendingPathComponent("data").path
            try await server(
                asPostgres,
                [
                    bin.appendingPathComponent("initdb").path, "-D", data, "-U", "postgres", "-A", "trust", "-E",
                    "UTF8",
                    "--no-sync",
                ])
            let port = try freePort()
            let options =
                "-p \(port) -k \(folder.path) -c listen_addresses=127.0.0.1 -c fsync=off "
                + "-c synchronous_commit=off -c max_connections=200"
            running.withLock { $0 = Cluster(bin: bin, folder: folder, asPostgres: asPostgres) }
            try await server(
                asPostgres,
                [
                    bin.appendingPathComponent("pg_ctl").path, "-D", data, "-o", options, "-l",
                    folder.appendingPathComponent("log").path, "-w", "start",
                ])
            atexit { PostgresCluster.stopAtExit() }
            return .success("postgres://postgres@127.0.0.1:\(port)/postgres?sslmode=disable")
        } catch {
            stopAtExit()
            try? FileManager.default.removeItem(at: folder)
            return .failure(.unavailable("could not start a throwaway PostgreSQL cluster in \(folder.path): \(error)"))
        }
    }

    /// The newest installed server's `bin` folder.
    private static func serverBinaries() -> URL? {
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return versions.sorted { (Int($0) ?? 0, $0) > (Int($1) ?? 0, $1) }
            .map { root.appendingPathComponent($0).appendingPathComponent("bin") }
            .first { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("initdb").path) }
    }

    /// Stops and removes clusters whose test process is gone (it crashed before its exit handler ran).
    private static func reapOrphans(in base: URL, bin: URL, asPostgres: Bool) {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: base.path)) ?? []
        for entry in entries where entry.hasPrefix(folderPrefix) {
            let folder = base.appendingPathComponent(entry)
            guard let owner = try? String(contentsOf: folder.appendingPathComponent("owner"), encoding: .utf8),
                let pid = Int32(owner.trimmingCharacters(in: .whitespacesAndNewlines)),
                kill(pid, 0) != 0, errno == ESRCH
            else { continue }
            stop(Cluster(bin: bin, folder: folder, asPostgres: asPostgres))
        }
    }

    private static func stopAtExit() {
        guard
            let cluster = running.withLock({ cluster in
                defer { cluster = nil }
                return cluster
            })
        else { return }
        stop(cluster)
    }

    private static func stop(_ cluster: Cluster) {
        let data = cluster.folder.appendingPathComponent("data").path
        if FileManager.default.fileExists(atPath: data) {
            let pgCtl = [
                cluster.bin.appendingPathComponent("pg_ctl").path, "-D", data, "-m", "immediate", "-w", "stop",
            ]
            _ = try? spawn(cluster.asPostgres ? asPostgresUser(pgCtl) : pgCtl, output: "/dev/null")
        }
        try? FileManager.default.removeItem(at: cluster.folder)
    }

    /// Runs a server program, as the `postgres` user when we are root.
    private static func server(_ asPostgres: Bool, _ arguments: [String]) async throws {
        try await run(asPostgres ? asPostgresUser(arguments) : arguments)
    }

    private static func run(_ executable: String, _ arguments: [String]) async throws {
        try await run([executable] + arguments)
    }

    /// `arguments` run by `su` as the `postgres` user (the server refuses to run as root).
    private static func asPostgresUser(_ arguments: [String]) -> [String] {
        let command = arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
            .joined(separator: " ")
        return ["/bin/su", "postgres", "-s", "/bin/sh", "-c", command]
    }

    /// Runs a program to its end on a thread of its own; its output goes into the error when it fails.
    private static func run(_ arguments: [String]) async throws {
        let log = FileManager.default.temporaryDirectory
            .appendingPathComponent("stockline-pg-command-\(UUID().uuidString.lowercased()).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let status = try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<Int32, any Error>) in
            DispatchQueue.global().async { continuation.resume(with: Result { try spawn(arguments, output: log) }) }
        }
        guard status == 0 else {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw PostgresClusterError.commandFailed(
                "\(arguments.joined(separator: " ")) exited with \(status): \(text)")
        }
    }

    /// Starts a program with only standard input, output and error open, and waits for it to exit.
    ///
    /// Not `Foundation.Process`: it learns that a child exited when a descriptor the child inherited closes, and
    /// `pg_ctl start` leaves the server running with every descriptor it inherited, so the wait would never end.
    private static func spawn(_ arguments: [String], output: String) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        #if canImport(Glibc)
            // Closing what a concurrent thread closed meanwhile is harmless: glibc ignores EBADF for close actions.
            let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
            for descriptor in open.compactMap(Int32.init) where descriptor > 2 {
                posix_spawn_file_actions_addclose(&actions, descriptor)
            }
        #else
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_CLOEXEC_DEFAULT))
        #endif
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, environ)
        guard spawned == 0 else {
            throw PostgresClusterError.commandFailed("cannot start \(arguments[0]): error \(spawned)")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw PostgresClusterError.commandFailed("waitpid failed: \(errno)") }
        }
        // WIFEXITED / WEXITSTATUS, which Swift does not import.
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// A TCP port nobody listens on right now (the kernel's pick for port 0).
    private static func freePort() throws -> Int {
        #if canImport(Glibc)
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw PostgresClusterError.commandFailed("socket() failed: \(errno)") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else { throw PostgresClusterError.commandFailed("could not find a free port: \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Why the tests have no PostgreSQL server.
public enum PostgresClusterError: Error, Sendable, CustomStringConvertible {
    /// Neither a URL nor server binaries, or the throwaway cluster would not start.
    case unavailable(String)
    /// A program the cluster needs failed.
    case commandFailed(String)

    public var description: String {
        switch self {
        case .unavailable(let reason), .commandFailed(let reason): reason
        }
    }
}
