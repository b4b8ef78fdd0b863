import BenchReporting
import Foundation
import RedisTestSupport

// `maestro-bench`: the store and the CLI measured against Redis' own tools in the same run (docs/benchmarks.md).
// Synchronous on the main thread on purpose; see `MainThreadWait`.

// A reader that goes away (`maestro-bench | head`) must not kill the run before it stops its redis-server.
signal(SIGPIPE, SIG_IGN)
do {
    guard let options = try BenchOptions.parse(Array(CommandLine.arguments.dropFirst())) else {
        print(BenchOptions.usage)
        exit(0)
    }
    if options.shards {
        let scaling = ShardScaling(
            writersPerProject: 8, seconds: options.secondsPerMeasurement, rounds: options.repeats)
        print(try scaling.run())
        exit(0)
    }
    if options.large {
        let report = try LargeProject(tasks: options.tasks, sessions: options.sessions, samples: options.samples).run()
        print(report.table())
        print(try report.jsonLine())
        exit(0)
    }
    let report = try BenchRun(options: options).run()
    print(report.table())
    print(try report.jsonLine())
} catch {
    if InterruptGuard.wasInterrupted { exit(130) }
    StandardError.line("maestro-bench: error: \(error)")
    exit(1)
}
