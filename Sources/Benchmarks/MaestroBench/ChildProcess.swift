import BenchReporting
import Dispatch
import Foundation

/// Runs another program to completion, stdout discarded, and says how long it took from launch to exit.
enum ChildProcess {
    /// What a finished run left behind.
    struct Outcome {
        var wallTime: Duration
        var standardOutput: String
    }

    /// Runs `executable` with `arguments`; throws with its stderr unless it exits with status 0.
    ///
    /// stdout goes to /dev/null unless `capturingOutput`: then it is read in full, inside the timed span, so
    /// capture only where the time does not matter or the output is short.
    @discardableResult
    static func run(
        _ executable: URL, _ arguments: [String], environment: [String: String]? = nil, capturingOutput: Bool = false
    ) throws -> Outcome {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = FileHandle.nullDevice
        let output = capturingOutput ? Pipe() : nil
        process.standardOutput = output ?? FileHandle.nullDevice
        // stderr goes to a file, not a pipe: a chatty child can never block on a full pipe while we wait.
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("maestro-bench-\(UUID()).err")
        guard FileManager.default.createFile(atPath: errorFile.path, contents: nil) else {
            throw BenchError("cannot create \(errorFile.path) for the stderr of \(executable.lastPathComponent)")
        }
        defer { try? FileManager.default.removeItem(at: errorFile) }
        let errorHandle = try FileHandle(forWritingTo: errorFile)
        defer { try? errorHandle.close() }
        process.standardError = errorHandle

        // Not `waitUntilExit()` alone: on Linux it polls the run loop every 50 ms, which would swamp a 5 ms
        // process. The termination handler fires as soon as Foundation reaps the child.
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        let clock = ContinuousClock()
        let start = clock.now
        try process.run()
        let captured = output.map { String(decoding: $0.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
        exited.wait()
        let wallTime = clock.now - start
        process.waitUntilExit()

        guard process.terminationReason == .exit && process.terminationStatus == 0 else {
            let stderr = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
            let how = process.terminationReason == .exit ? "exited with status" : "was killed by signal"
            throw BenchError(
                """
                \(executable.lastPathComponent) \(how) \(process.terminationStatus)
                  command: \(([executable.path] + arguments).map(shellQuoted).joined(separator: " "))
                  stderr: \(stderr.isEmpty ? "(empty)" : stderr.trimmingCharacters(in: .whitespacesAndNewlines))
                """)
        }
        return Outcome(wallTime: wallTime, standardOutput: captured ?? "")
    }

    /// A word as a POSIX shell would need it, so a failing command can be pasted and re-run.
    static func shellQuoted(_ word: String) -> String {
        let plain = !word.isEmpty && word.allSatisfy { $0.isLetter || $0.isNumber || "-_./:=,@".contains($0) }
        return plain ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
