import Foundation
import RedisClient

/// An agent command for `maestro run` tests: a shell loop that appends its pid to a file on every start (once its
/// SIGTERM trap is set and its environment written, so a test that saw the pid may signal it at once), leaves
/// with code 0 on SIGTERM, and can be told to exit with a code; plus what the tests read back from Redis.
public struct SupervisedAgent: Sendable {
    public let directory: URL

    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("maestro-agent-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// The command line after `--`: runs until SIGTERM (exit 0) or until the file `exit` holds a code.
    public var command: [String] {
        [
            "sh", "-c",
            """
            trap 'echo TERM >> "\(directory.path)/signals"; exit 0' TERM
            env > '\(directory.path)/env'
            echo $$ >> '\(directory.path)/pids'
            while :; do
              if [ -f '\(directory.path)/exit' ]; then code=$(cat '\(directory.path)/exit'); rm -f '\(directory.path)/exit'; exit $code; fi
              sleep 0.05
            done
            """,
        ]
    }

    /// The pids of every start so far.
    public var pids: [Int32] {
        ((try? String(contentsOf: directory.appendingPathComponent("pids"), encoding: .utf8)) ?? "")
            .split(separator: "\n").compactMap { Int32($0) }
    }

    /// The environment of the latest start.
    public var environment: [String: String] {
        var variables: [String: String] = [:]
        let text = (try? String(contentsOf: directory.appendingPathComponent("env"), encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { variables[parts[0]] = parts[1] }
        }
        return variables
    }

    /// How many times it received SIGTERM.
    public var terminations: Int {
        ((try? String(contentsOf: directory.appendingPathComponent("signals"), encoding: .utf8)) ?? "")
            .split(separator: "\n").count
    }

    /// Makes the running agent exit with `code`.
    public func exit(with code: Int32) throws {
        try "\(code)".write(to: directory.appendingPathComponent("exit"), atomically: true, encoding: .utf8)
    }

    /// Whether a process is alive.
    public static func isAlive(_ pid: Int32) -> Bool { kill(pid, 0) == 0 }

    /// A session's hash fields.
    public static func session(_ id: String, project: String, on redis: RedisConnection) throws -> [String: String] {
        let fields = try redis.send(RedisCommand("HGETALL", "mae:{\(project)}:session:\(id)")).array ?? []
        var result: [String: String] = [:]
        for index in stride(from: 0, to: fields.count - 1, by: 2) {
            result[fields[index].string ?? ""] = fields[index + 1].string
        }
        return result
    }

    /// The project's events as (type, payload) pairs, oldest first.
    public static func events(project: String, on redis: RedisConnection) throws -> [(type: String, payload: String)] {
        let entries = try redis.send(RedisCommand("XRANGE", "mae:{\(project)}:events", "-", "+")).array ?? []
        return entries.compactMap { entry in
            guard let fields = entry.array?.last?.array, fields.count == 4 else { return nil }
            return (fields[1].string ?? "", fields[3].string ?? "")
        }
    }

    public func remove() {
        for pid in pids where Self.isAlive(pid) { kill(pid, SIGKILL) }
        try? FileManager.default.removeItem(at: directory)
    }
}
