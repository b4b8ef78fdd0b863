import Foundation
import ProcessTestSupport
import RedisClient

/// A private `redis-server` for tests and benchmarks: its own free port, unix socket and temporary
/// directory, stopped (and the directory removed) by `stop()` or when the value goes away.
///
/// With `MAESTRO_TEST_REDIS=cluster` in the environment, a server started without extra arguments is a 3-primary
/// Redis Cluster instead (`RedisTestCluster`), reached through its first node: the same tests then check that
/// everything works unchanged on a cluster. Servers that need special options (ACL files, AOF) stay single ones,
/// and the single-process fault injections (`crash`, `restart`, `signal`) are for single servers only.
public final class RedisTestServer: @unchecked Sendable {
    /// Whether this test process runs its Redis tests against clusters (`MAESTRO_TEST_REDIS=cluster`).
    public static let clusterMode = ProcessInfo.processInfo.environment["MAESTRO_TEST_REDIS"] == "cluster"

    // @unchecked: `process` is only touched by start, crash, restart and stop, which are serialized by `lock`.
    private var process: Process?
    /// The cluster behind this server in cluster mode.
    public let cluster: RedisTestCluster?
    private let lock = NSLock()
    /// The full redis-server command line, for restarts.
    private let launchArguments: [String]

    /// The TCP port on 127.0.0.1.
    public let port: Int
    /// The temporary directory holding the socket, the log and any data files.
    public let directory: URL

    /// `redis://127.0.0.1:<port>`.
    public var url: String { "redis://127.0.0.1:\(port)" }
    /// The unix socket path.
    public var socketPath: String { directory.appendingPathComponent("redis.sock").path }
    /// A configuration for the TCP endpoint.
    public var configuration: RedisConfiguration {
        RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: port))
    }

    /// Starts a server and waits until it answers PING; `arguments` are extra `redis-server` options.
    public convenience init(arguments: [String] = []) throws {
        if Self.clusterMode && arguments.isEmpty {
            self.init(cluster: try RedisTestCluster(primaries: 3))
        } else {
            try self.init(single: arguments)
        }
    }

    /// Serves tests from `cluster`, reached through its first node; `stop()` stops the cluster.
    public init(cluster: RedisTestCluster) {
        self.cluster = cluster
        process = nil
        port = cluster.nodes[0].port
        directory = cluster.directory
        launchArguments = []
    }

    private init(single arguments: [String]) throws {
        cluster = nil
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("maestro-redis-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var lastError: (any Error)?
        for _ in 0..<5 {
            let port = try Self.freePort()
            let launch =
                [
                    "--port", String(port), "--bind", "127.0.0.1", "--dir", directory.path,
                    "--unixsocket", directory.appendingPathComponent("redis.sock").path, "--unixsocketperm", "700",
                    "--save", "", "--appendonly", "no", "--logfile", directory.appendingPathComponent("redis.log").path,
                    "--daemonize", "no",
                ] + arguments
            let process = try Self.launch(launch)
            if Self.waitUntilReady(socketPath: directory.appendingPathComponent("redis.sock").path, process: process) {
                self.process = process
                self.port = port
                self.directory = directory
                self.launchArguments = launch
                return
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            lastError = RedisError(.connectionFailed, "redis-server did not start on port \(port)")
        }
        let log = (try? String(contentsOf: directory.appendingPathComponent("redis.log"), encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: directory)
        throw RedisError(.connectionFailed, "cannot start redis-server: \(lastError.map { "\($0)" } ?? "")\n\(log)")
    }

    deinit { stop() }

    /// Stops the server and removes its directory. Idempotent.
    ///
    /// SIGKILL, not SIGTERM: a process started from a Swift concurrency thread inherits that thread's signal
    /// mask, in which SIGTERM is blocked, so a polite stop would wait forever. The data is thrown away anyway.
    public func stop() {
        cluster?.stop()
        lock.lock()
        defer { lock.unlock() }
        if let process, process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// A new connection to this server.
    public func connect() -> RedisConnection { RedisConnection(configuration) }

    /// Kills the server as a crash would (SIGKILL: no shutdown, no final save); `restart()` brings it back.
    public func crash() {
        lock.withLock {
            let process = singleProcess
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Starts the server again on the same port and directory (it recovers from its append-only file, if on) and
    /// waits until it answers.
    public func restart() throws {
        try lock.withLock {
            _ = singleProcess
            let process = try Self.launch(launchArguments)
            guard Self.waitUntilReady(socketPath: socketPath, process: process) else {
                throw RedisError(.connectionFailed, "redis-server did not start again on port \(port)")
            }
            self.process = process
        }
    }

    private static func launch(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = try RedisExecutable.path("redis-server")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try ProcessStart.serialized { try process.run() }
        return process
    }

    /// The redis-server's pid.
    public var processIdentifier: Int32 { lock.withLock { singleProcess.processIdentifier } }

    /// Sends a signal to the redis-server (SIGSTOP and SIGCONT stall and resume it, for fault tests).
    public func signal(_ number: Int32) {
        lock.withLock { _ = kill(singleProcess.processIdentifier, number) }
    }

    /// The process of a single server; fault injections on a cluster go through `cluster` instead.
    private var singleProcess: Process {
        guard let process else { preconditionFailure("a single-process fault injection on a test cluster") }
        return process
    }

    /// A port the kernel just handed out for 127.0.0.1.
    public static func freePort() throws -> Int { try Loopback.freePort() }

    /// Asked through its own unix socket: on the TCP port, another test's server that took the port first (our
    /// server then exits, unable to bind it) could answer in its place.
    private static func waitUntilReady(socketPath: String, process: Process) -> Bool {
        let connection = RedisConnection(
            RedisConfiguration(endpoint: .unix(path: socketPath), connectTimeout: .milliseconds(100)))
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline && process.isRunning {
            // Any reply counts, NOAUTH included: a server configured without a default user is up too.
            if (try? connection.pipeline([RedisCommand("PING")])) != nil { return true }
            usleep(20_000)
        }
        return false
    }
}
