import Foundation
import Logging
import RedisClient

/// The server's own `redis-server`, for the embedded default: AOF on, data and a unix socket in the data
/// directory, no TCP port. Started before the server, stopped (with a final AOF flush) after it.
public final class EmbeddedRedis: Sendable {
    /// The socket clients connect to.
    public let socketPath: String
    private let process: Process

    /// Starts redis-server in `directory` and waits until it answers; a clear error when it is not installed.
    public init(directory: URL, logger: Logger) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        guard let executable = Self.find("redis-server") else {
            throw RedisError(
                .connectionFailed,
                "redis-server is not installed: install it (Debian: apt-get install redis-server) "
                    + "or set MAESTRO_REDIS_URL"
            )
        }
        socketPath = directory.appendingPathComponent("redis.sock").path
        // A socket left by a crash would make a stale path; redis-server replaces it, but an old one still answering
        // means another server uses this data directory.
        let existing = RedisConnection(Self.configuration(socketPath, timeout: .milliseconds(200)))
        if (try? existing.send(RedisCommand("PING"))) != nil {
            throw RedisError(
                .connectionFailed,
                "another Redis is already running on \(socketPath); is another maestro-server using \(directory.path)?")
        }
        process = Process()
        process.executableURL = executable
        process.arguments = [
            "--port", "0", "--unixsocket", socketPath, "--unixsocketperm", "700", "--dir", directory.path,
            "--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--maxmemory-policy", "noeviction",
            "--logfile", directory.appendingPathComponent("redis.log").path, "--daemonize", "no",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let probe = RedisConnection(Self.configuration(socketPath, timeout: .milliseconds(100)))
        let deadline = Date().addingTimeInterval(30)
        while (try? probe.send(RedisCommand("PING"))) == nil {
            guard process.isRunning, Date() < deadline else {
                stop()
                throw RedisError(.connectionFailed, "redis-server did not start; see \(directory.path)/redis.log")
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        logger.info(
            "embedded redis-server started",
            metadata: ["socket": "\(socketPath)", "pid": "\(process.processIdentifier)"])
    }

    /// `unix://<socket>`.
    public var url: String { "unix://\(socketPath)" }

    /// Stops redis-server with SHUTDOWN (flushing the AOF), or SIGKILL if it does not go within 10 s.
    public func stop() {
        guard process.isRunning else { return }
        _ = try? RedisConnection(Self.configuration(socketPath, timeout: .seconds(1))).send(RedisCommand("SHUTDOWN"))
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    private static func configuration(_ socket: String, timeout: Duration) -> RedisConfiguration {
        RedisConfiguration(endpoint: .unix(path: socket), connectTimeout: timeout, commandTimeout: .seconds(5))
    }

    private static func find(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":").map(String.init) {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }
}
