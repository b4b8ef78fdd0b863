import BenchReporting
import Foundation
import ProcessTestSupport
import RedisTestSupport

/// The real `maestro-server` release binary as a child process on a free port, using the benchmark's Redis.
///
/// Started from the main thread: `Process` children inherit the spawning thread's signal mask, and Swift
/// concurrency's threads block SIGTERM, so a server started from a task could not be stopped politely.
/// Where util-linux `setpriv` exists it execs the server with a parent-death signal, so even a SIGKILLed
/// benchmark cannot leave it running (the pid stays the server's).
final class ServerProcess {
    let port: Int
    let pid: Int32
    /// The server's stdout and stderr.
    let logFile: URL
    private let process: Process

    /// Starts the server and waits until GET /readyz answers 200.
    init(executable: URL, redisURL: String, userToken: String, dataDirectory: URL, queueLimit: Int) throws {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw BenchError(
                "no maestro-server binary at \(executable.path): build it with "
                    + "`swift build -c release --product maestro-server` or pass --server PATH")
        }
        logFile = dataDirectory.appendingPathComponent("maestro-server.log")
        guard FileManager.default.createFile(atPath: logFile.path, contents: nil) else {
            throw BenchError("cannot create \(logFile.path)")
        }
        let log = try FileHandle(forWritingTo: logFile)
        defer { try? log.close() }
        var environment = ProcessInfo.processInfo.environment
        environment["MAESTRO_REDIS_URL"] = redisURL
        environment["MAESTRO_USER_TOKEN"] = userToken
        environment["MAESTRO_DATA_DIR"] = dataDirectory.path

        var lastProblem = ""
        for _ in 0..<3 {
            let port = try Loopback.freePort()
            let arguments = ["--port", String(port), "--relay-queue-limit", String(queueLimit)]
            let process = Process()
            let setpriv = URL(fileURLWithPath: "/usr/bin/setpriv")
            if FileManager.default.isExecutableFile(atPath: setpriv.path) {
                process.executableURL = setpriv
                process.arguments = ["--pdeathsig", "KILL", "--", executable.path] + arguments
            } else {
                process.executableURL = executable
                process.arguments = arguments
            }
            process.environment = environment
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = log
            process.standardError = log
            try process.run()
            ChildProcessGuard.watchServer(process.processIdentifier)
            if Self.waitUntilReady(port: port, process: process) {
                self.process = process
                self.port = port
                self.pid = process.processIdentifier
                return
            }
            Self.stop(process)
            lastProblem = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        }
        ChildProcessGuard.watchServer(0)
        throw BenchError("maestro-server did not become ready; its output:\n\(lastProblem.suffix(2_000))")
    }

    deinit { stop() }

    /// Stops the server: SIGTERM (a graceful shutdown closes every stream), then SIGKILL after 15 s. Idempotent.
    func stop() {
        Self.stop(process)
        ChildProcessGuard.watchServer(0)
    }

    /// The server's log lines at warning level or above so far (slow-client disconnects, relay reconnects, …).
    func loggedWarnings() -> [String] {
        let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        return log.split(separator: "\n").map(String.init).filter {
            $0.contains(" warning ") || $0.contains(" error ") || $0.contains(" critical ")
        }
    }

    private static func stop(_ process: Process) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let stopped = MonotonicClock.wait(timeout: 15, interval: 0.02) { !process.isRunning }
        if !stopped {
            StandardError.line("maestro-relay-bench: maestro-server did not stop within 15 s of SIGTERM; killing it")
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }

    /// Polls GET /readyz until 200, for at most 30 s; false when the server exits or never gets ready.
    private static func waitUntilReady(port: Int, process: Process) -> Bool {
        MonotonicClock.wait(timeout: 30, interval: 0.05) {
            guard process.isRunning else { return true }
            return (try? HTTPGet.fetch(port: port, path: "/readyz", timeout: 1).status) == 200
        } && process.isRunning
    }
}
