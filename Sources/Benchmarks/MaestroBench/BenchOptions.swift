import BenchReporting
import Foundation
import RedisTestSupport

/// The command line of `maestro-bench`.
struct BenchOptions {
    static let usage = """
        usage: maestro-bench [--quick] [--maestro PATH] [--server PATH] [--concurrency 1,16,64]
                             [--stream-maxlen N] [--repeats N] [--seconds S] [--cli-runs N] [--breakdown]
               maestro-bench --shards [--seconds S] [--repeats N]
               maestro-bench --large [--tasks N] [--sessions N] [--samples N]

        Measures, against a private redis-server started for the run, the store's transition throughput
        next to redis-benchmark making the same FCALL, the wall time of one `maestro task update`
        process next to redis-cli making the same call, and the same command over HTTPS next to curl
        making the same request. Prints a table and a final JSON line.

          --quick            smoke run for CI (3 repeats of ~0.4 s, 20 CLI runs; well under a minute)
          --maestro PATH     the release CLI binary (default .build/release/maestro)
          --server PATH      the maestro-server for the HTTPS comparison (default .build/release/maestro-server;
                             the comparison is skipped, and says so, when it is missing)
          --concurrency L    comma-separated concurrency levels for the store (default 1,16,64)
          --stream-maxlen N  the event stream's approximate cap, so memory stays bounded (default 10000)
          --repeats N        measurements per side and level; medians are reported (default 5)
          --seconds S        target duration of one throughput measurement (default 2.5)
          --cli-runs N       process runs per side for the CLI wall time (default 40)
          --breakdown        also show where a call's time goes at concurrency 1 (hiredis, decoding, pool)
          --shards           instead: transitions/s of 3 projects on one Redis and on a 3-primary Redis Cluster
                             (one project per primary), 24 writers, --repeats rounds of --seconds each
          --large            instead: one project of --tasks (100000) tasks and --sessions (1000) sessions; every
                             kind of call timed (inside Redis, INFO commandstats, and the server's layout of
                             summary pages; --samples, default 20, calls each) against
                             5 ms (20 ms for a page of 1,000 summaries), and Redis memory per key kind, per task and
                             per progress update
        """

    var quick = false
    var maestroPath = ".build/release/maestro"
    var serverPath = ".build/release/maestro-server"
    var concurrencyLevels = [1, 16, 64]
    var streamMaxLength = 10_000
    var repeats = 5
    var secondsPerMeasurement = 2.5
    var cliRuns = 40
    var breakdown = false
    var shards = false
    var large = false
    var tasks = 100_000
    var sessions = 1000
    var samples = 20

    /// Parses the arguments after the program name; nil means help was asked for.
    static func parse(_ arguments: [String]) throws -> BenchOptions? {
        var options = BenchOptions()
        if arguments.contains("--quick") {
            options.quick = true
            options.repeats = 3
            options.secondsPerMeasurement = 0.4
            options.cliRuns = 20
        }
        var arguments = BenchArguments(arguments, usage: usage)
        while let argument = arguments.next() {
            switch argument {
            case "--quick": break
            case "--breakdown": options.breakdown = true
            case "--shards": options.shards = true
            case "--large": options.large = true
            case "--tasks": options.tasks = try arguments.number(of: argument, in: 1...10_000_000)
            case "--sessions": options.sessions = try arguments.number(of: argument, in: 1...1_000_000)
            case "--samples": options.samples = try arguments.number(of: argument, in: 1...100_000)
            case "-h", "--help": return nil
            case "--maestro": options.maestroPath = try arguments.value(of: argument)
            case "--server": options.serverPath = try arguments.value(of: argument)
            case "--concurrency":
                let text = try arguments.value(of: argument)
                let levels = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
                guard !levels.isEmpty, levels.allSatisfy({ ($0 ?? 0) > 0 && ($0 ?? 0) <= 1024 }) else {
                    throw BenchError("--concurrency takes numbers 1-1024 separated by commas, got '\(text)'")
                }
                options.concurrencyLevels = levels.compactMap { $0 }
            case "--stream-maxlen": options.streamMaxLength = try arguments.number(of: argument, in: 1...100_000_000)
            case "--repeats": options.repeats = try arguments.number(of: argument, in: 1...1000)
            case "--cli-runs": options.cliRuns = try arguments.number(of: argument, in: 1...100_000)
            case "--seconds": options.secondsPerMeasurement = try arguments.seconds(of: argument)
            default: throw arguments.unknown(argument)
            }
        }
        return options
    }
}
