import Foundation

/// Runs a built executable of this package (`maestro` by default) as a child process with raw-byte arguments
/// (so tests can pass invalid UTF-8) and an explicit environment, and collects its exit code and output.
///
/// Children start with an empty signal mask: a process spawned from a Swift concurrency thread would otherwise
/// inherit that thread's blocked SIGINT and SIGTERM, and could not be stopped politely.
public struct CLIProcess: Sendable {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// A child still running: signal it, then wait for its result.
    public final class Running: @unchecked Sendable {
        // @unchecked: `pid` and the paths are set once; `wait` is called once by the test that started it.
        public let pid: pid_t
        private let directory: URL

        init(pid: pid_t, directory: URL) {
            self.pid = pid
            self.directory = directory
        }

        /// What it has written to stderr so far.
        public var stderr: String {
            (try? String(contentsOf: directory.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
        }

        public func signal(_ signal: Int32) { kill(pid, signal) }

        /// `wait` on a thread of its own, for async tests.
        public func finished(timeout: Duration = .seconds(60)) async -> Result {
            await withCheckedContinuation { continuation in
                Thread.detachNewThread { continuation.resume(returning: self.wait(timeout: timeout)) }
            }
        }

        /// Waits for the exit and collects the output (the exit code, or 128 + the signal that ended it).
        /// A child still running after `timeout` is killed (SIGKILL, so the result says 137): a test fails
        /// instead of hanging.
        public func wait(timeout: Duration = .seconds(60)) -> Result {
            var status: Int32 = 0
            let deadline = ContinuousClock.now + timeout
            while true {
                let result = waitpid(pid, &status, WNOHANG)
                if result == pid || (result == -1 && errno != EINTR) { break }
                if ContinuousClock.now >= deadline { kill(pid, SIGKILL) }
                Thread.sleep(forTimeInterval: 0.01)
            }
            defer { try? FileManager.default.removeItem(at: directory) }
            let code = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
            return Result(
                status: code,
                stdout: (try? String(contentsOf: directory.appendingPathComponent("stdout"), encoding: .utf8)) ?? "",
                stderr: stderr)
        }
    }

    /// The directory of the package's built executables: $MAESTRO_CLI_PATH's, or the test bundle's.
    public static let buildDirectory: URL = {
        if let path = ProcessInfo.processInfo.environment["MAESTRO_CLI_PATH"] {
            return URL(fileURLWithPath: path).deletingLastPathComponent()
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }()

    public var environment: [String: String]
    public var executable: String

    public init(environment: [String: String], executable: String = "maestro") {
        self.environment = environment
        self.executable = executable
    }

    public func run(_ arguments: String...) throws -> Result {
        try run(bytes: arguments.map { Array($0.utf8) })
    }

    /// `run` on a thread of its own, for async tests whose server shares the cooperative pool.
    public func runDetached(_ arguments: String...) async throws -> Result {
        try await runDetached(bytes: arguments.map { Array($0.utf8) })
    }

    /// `run(bytes:)` on a thread of its own.
    public func runDetached(bytes: [[UInt8]]) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Swift.Result { try run(bytes: bytes) }) }
        }
    }

    public func run(bytes arguments: [[UInt8]]) throws -> Result {
        try start(bytes: arguments).wait()
    }

    /// Starts the executable and returns at once.
    public func start(_ arguments: String...) throws -> Running {
        try start(bytes: arguments.map { Array($0.utf8) })
    }

    /// Starts the executable with raw-byte arguments and returns at once.
    public func start(bytes arguments: [[UInt8]]) throws -> Running {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("maestro-child-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(
            &actions, 1, directory.appendingPathComponent("stdout").path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(
            &actions, 2, directory.appendingPathComponent("stderr").path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))

        let path = Self.buildDirectory.appendingPathComponent(executable).path
        let argv: [UnsafeMutablePointer<CChar>?] =
            ([Array(path.utf8)] + arguments).map { bytes in
                let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
                for (index, byte) in bytes.enumerated() { pointer[index] = CChar(bitPattern: byte) }
                pointer[bytes.count] = 0
                return pointer
            } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { $0?.deallocate() }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let spawned = ProcessStart.serialized { posix_spawn(&pid, path, &actions, &attributes, argv, envp) }
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .ENOENT) }
        return Running(pid: pid, directory: directory)
    }
}
