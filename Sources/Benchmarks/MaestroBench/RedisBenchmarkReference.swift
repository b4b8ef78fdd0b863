import BenchReporting
import Foundation

/// The reference side of the throughput comparison: `redis-benchmark` sending the very same argument vector
/// at the same concurrency, from one C event loop.
struct RedisBenchmarkReference {
    let executable: URL
    let port: Int

    /// Runs `redis-benchmark -c concurrency -n count --csv <command>` and returns its requests per second.
    func measure(_ command: [String], concurrency: Int, count: Int) throws -> Double {
        let arguments = arguments(command, concurrency: concurrency, count: count)
        let output = try ChildProcess.run(executable, arguments, capturingOutput: true).standardOutput
        return try Self.requestsPerSecond(inCSV: output)
    }

    /// The command line, quoted for a shell, so a reader can re-run the reference by hand.
    func commandLine(_ command: [String], concurrency: Int, count: Int) -> String {
        ([executable.lastPathComponent] + arguments(command, concurrency: concurrency, count: count))
            .map(ChildProcess.shellQuoted).joined(separator: " ")
    }

    private func arguments(_ command: [String], concurrency: Int, count: Int) -> [String] {
        ["-h", "127.0.0.1", "-p", String(port), "-c", String(concurrency), "-n", String(count), "--csv"] + command
    }

    /// Reads the `rps` column of the one result row of `--csv` output:
    ///
    ///     "test","rps","avg_latency_ms",...
    ///     "FCALL maestro_update_progress ...","12345.67","0.071",...
    static func requestsPerSecond(inCSV output: String) throws -> Double {
        let lines = output.split(whereSeparator: \.isNewline).map(String.init)
        guard let header = lines.first?.components(separatedBy: "\",\""),
            let column = header.firstIndex(where: { $0.trimmingCharacters(in: ["\""]) == "rps" }),
            lines.count >= 2
        else {
            throw BenchError("cannot read redis-benchmark's CSV output:\n\(output)")
        }
        let fields = lines[1].components(separatedBy: "\",\"")
        guard column < fields.count, let rps = Double(fields[column].trimmingCharacters(in: ["\""])), rps > 0 else {
            throw BenchError("cannot read the rps column of redis-benchmark's CSV output:\n\(output)")
        }
        return rps
    }
}
