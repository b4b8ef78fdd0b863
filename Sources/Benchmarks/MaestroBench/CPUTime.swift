import Foundation
import RedisClient

/// CPU seconds spent so far by the client side and by redis-server; the difference over a measurement,
/// divided by its calls, shows what one call costs each. On a small machine client and server share the
/// cores, so a client that burns more CPU per call leaves less for the server.
struct CPUTime {
    var client: Double
    var server: Double

    /// Whose client CPU to read.
    enum Client {
        /// This process: the store's pool and workers.
        case thisProcess
        /// Children that have exited and been reaped: redis-benchmark.
        case finishedChildren
    }

    /// What the client used so far, and what redis-server reports in `INFO cpu`.
    static func now(of client: Client, server: RedisConnection) throws -> CPUTime {
        var usage = rusage()
        getrusage((client == .thisProcess ? RUSAGE_SELF : RUSAGE_CHILDREN).rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        let info = try server.send(RedisCommand("INFO", "cpu")).string ?? ""
        var serverSeconds = 0.0
        for line in info.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 && (parts[0] == "used_cpu_sys" || parts[0] == "used_cpu_user") {
                serverSeconds += Double(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
            }
        }
        return CPUTime(client: seconds(usage.ru_utime) + seconds(usage.ru_stime), server: serverSeconds)
    }
}
