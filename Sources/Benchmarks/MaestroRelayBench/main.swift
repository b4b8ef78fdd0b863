import BenchReporting
import Foundation
import RedisTestSupport

// `maestro-relay-bench`: maestro-server's relay measured against raw Redis pub/sub in the same run
// (docs/benchmarks.md, section C). Synchronous on the main thread on purpose: see `ServerProcess`.

// A reader that goes away (`maestro-relay-bench | head`) must not kill the run before it stops its children.
signal(SIGPIPE, SIG_IGN)
do {
    guard let options = try RelayBenchOptions.parse(Array(CommandLine.arguments.dropFirst())) else {
        print(RelayBenchOptions.usage)
        exit(0)
    }
    let report = try RelayBenchRun(options: options).run()
    print(report.table())
    print(try report.jsonLine())
    // Lost or duplicated events are a correctness failure, unlike a missed target on a noisy machine.
    exit(report.webSocketComplete ? 0 : 2)
} catch {
    // After Ctrl-C the run fails because its children are gone: the guard's cleanup thread exits instead.
    while ChildProcessGuard.wasInterrupted { pause() }
    StandardError.line("maestro-relay-bench: error: \(error)")
    exit(1)
}
