import Foundation
import RedisClient

/// Finds the Redis programs (`redis-server`, `redis-cli`) the tests start.
enum RedisExecutable {
    /// The first executable called `name` on PATH, or in /usr/bin or /usr/local/bin.
    static func path(_ name: String) throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"] {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw RedisError(.connectionFailed, "\(name) is not installed (apt-get install redis-server)")
    }
}
