import BenchReporting
import Foundation

/// The programs the benchmark runs besides itself, found before anything is started.
struct ExternalTools {
    /// The reference for store throughput (Debian package redis-tools).
    var redisBenchmark: URL
    /// The reference for the CLI's wall time (Debian package redis-tools).
    var redisCLI: URL
    /// The Maestro CLI under test.
    var maestro: URL

    /// Finds every tool or explains which one is missing and how to get it.
    static func locate(maestroPath: String) throws -> ExternalTools {
        let maestro = URL(fileURLWithPath: maestroPath)
        guard FileManager.default.isExecutableFile(atPath: maestro.path) else {
            throw BenchError(
                """
                the maestro binary is missing at \(maestro.path); build it with
                  swift build -c release --product maestro --static-swift-stdlib
                or pass its path with --maestro PATH
                """)
        }
        return ExternalTools(
            redisBenchmark: try onPath("redis-benchmark"), redisCLI: try onPath("redis-cli"), maestro: maestro)
    }

    /// `name` on PATH, or an error saying which Debian package has it.
    static func onPath(_ name: String, package: String = "redis-tools") throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw BenchError("\(name) is not on PATH; install it with `apt-get install \(package)`")
    }
}
