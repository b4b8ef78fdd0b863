import BenchReporting
import Foundation
import MaestroDomain
import MaestroStore
import RedisClient
import RedisTestSupport

/// One benchmark run: starts a private redis-server, loads the function library, measures both comparisons
/// and always stops the server again. Runs on the main thread (see `MainThreadWait` for why).
struct BenchRun {
    let options: BenchOptions

    func run() throws -> BenchReport {
        let tools = try ExternalTools.locate(maestroPath: options.maestroPath)
        let server = try RedisTestServer()
        let interruptGuard = InterruptGuard(stopping: server)
        defer {
            interruptGuard.cancel()
            server.stop()
        }
        let control = server.connect()
        try FunctionLibrary.install(on: control)
        let scope = try ProjectScope(projectId: "bench", streamMaxLength: options.streamMaxLength)
        progress("redis-server on port \(server.port); function library \(FunctionLibrary.version) loaded")

        var store: [StoreComparison] = []
        for concurrency in options.concurrencyLevels {
            store.append(
                try compareStore(
                    concurrency: concurrency, scope: scope, server: server, reference: tools.redisBenchmark,
                    control: control))
        }

        var breakdown: [StoreBreakdown.Variant] = []
        if options.breakdown {
            let count = store.first { $0.concurrency == 1 }?.requests ?? 10_000
            progress("breakdown at concurrency 1: \(options.repeats) × \(count) calls per variant")
            let fixture = try BenchFixture.prepare(scope: scope, title: "bench breakdown", on: control)
            breakdown = try StoreBreakdown.measure(
                fixture, configuration: server.configuration, count: count, repeats: options.repeats)
        }

        progress("CLI: \(options.cliRuns) runs each of maestro and redis-cli, interleaved")
        let cliFixture = try BenchFixture.prepare(scope: scope, title: "bench cli", on: control)
        let cli = try CLIWallTime(tools: tools, server: server, fixture: cliFixture)
            .measure(runs: options.cliRuns, control: control)

        progress("MCP: \(options.cliRuns) runs each of maestro mcp (launch → initialize answered) and redis-cli PING")
        let mcp = try MCPStartup(tools: tools, server: server, fixture: cliFixture).measure(runs: options.cliRuns)

        let https = try compareHTTPS(tools: tools, server: server, scope: scope, control: control)

        let streamLength = try control.send(RedisCommand("XLEN", scope.eventStream)).integer ?? -1
        return BenchReport(
            options: options, redisVersion: try redisVersion(control),
            cores: ProcessInfo.processInfo.activeProcessorCount,
            store: store, breakdown: breakdown, cli: cli, mcp: mcp, https: https, streamLength: Int(streamLength))
    }

    /// The CLI over HTTPS next to curl, when a maestro-server binary is there to serve TLS.
    private func compareHTTPS(
        tools: ExternalTools, server: RedisTestServer, scope: ProjectScope, control: RedisConnection
    ) throws -> HTTPSWallTime.Result? {
        let executable = URL(fileURLWithPath: options.serverPath)
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            progress(
                "HTTPS: skipped, no maestro-server at \(executable.path) "
                    + "(swift build -c release --product maestro-server, or --server PATH)")
            return nil
        }
        let curl = try ExternalTools.onPath("curl", package: "curl")
        let fixture = try BenchFixture.prepare(scope: scope, title: "bench https", on: control)
        let tlsServer = try TLSServerProcess(
            executable: executable, redisURL: server.url, userToken: RandomIdentifier.make(prefix: "mut"))
        defer { tlsServer.stop() }
        progress("HTTPS: \(options.cliRuns) runs each of maestro and curl against \(tlsServer.url), interleaved")
        return try HTTPSWallTime(maestro: tools.maestro, curl: curl, server: tlsServer, fixture: fixture)
            .measure(runs: options.cliRuns)
    }

    /// Measures one concurrency level: a calibration run of each side (which also warms up connections and
    /// Redis), then `repeats` measurements per side, alternating which side goes first.
    private func compareStore(
        concurrency: Int, scope: ProjectScope, server: RedisTestServer, reference redisBenchmark: URL,
        control: RedisConnection
    ) throws -> StoreComparison {
        let fixture = try BenchFixture.prepare(scope: scope, title: "bench c\(concurrency)", on: control)
        let ours = StoreThroughput(configuration: server.configuration, concurrency: concurrency)
        let reference = RedisBenchmarkReference(executable: redisBenchmark, port: server.port)
        let transition = fixture.transition
        let argv = fixture.transitionArguments

        let probe = 2_000 + 200 * concurrency
        let fastest = max(
            try ours.measure(.blocking, transition, count: probe),
            try ours.measure(.pool, transition, count: probe),
            try reference.measure(argv, concurrency: concurrency, count: probe))
        // The faster side runs for about the target time; the slower one longer. Same work for both.
        let requests = max(1_000, Int((fastest * options.secondsPerMeasurement / 1_000).rounded(.up)) * 1_000)
        progress("concurrency \(concurrency): \(options.repeats) × \(requests) calls per side")
        progress("  reference: " + reference.commandLine(argv, concurrency: concurrency, count: requests))

        var comparison = StoreComparison(concurrency: concurrency, requests: requests)
        for round in 0..<options.repeats {
            func sample(_ client: CPUTime.Client, _ measure: () throws -> Double) throws -> StoreComparison.Sample {
                let before = try CPUTime.now(of: client, server: control)
                let rate = try measure()
                let after = try CPUTime.now(of: client, server: control)
                return StoreComparison.Sample(
                    rate: rate, clientMicroseconds: (after.client - before.client) * 1e6 / Double(requests),
                    serverMicroseconds: (after.server - before.server) * 1e6 / Double(requests))
            }
            let measureOurs = {
                for way in StoreThroughput.Way.allCases {
                    let before = try fixture.taskVersion(on: control)
                    let measured = try sample(.thisProcess) { try ours.measure(way, transition, count: requests) }
                    if way == .blocking { comparison.ours.append(measured) } else { comparison.pooled.append(measured) }
                    try fixture.expectApplied(requests, since: before, by: "the store (\(way))", on: control)
                }
            }
            let measureReference = {
                let before = try fixture.taskVersion(on: control)
                comparison.reference.append(
                    try sample(.finishedChildren) {
                        try reference.measure(argv, concurrency: concurrency, count: requests)
                    })
                try fixture.expectApplied(requests, since: before, by: "redis-benchmark", on: control)
            }
            if round % 2 == 0 {
                try measureOurs()
                try measureReference()
            } else {
                try measureReference()
                try measureOurs()
            }
            let (last, lastReference) = (comparison.ours.last!, comparison.reference.last!)
            progress(
                "  round \(round + 1): pool \(Int(comparison.pooled.last!.rate)) /s; blocking \(Int(last.rate)) /s "
                    + "(client \(Int(last.clientMicroseconds)) µs, "
                    + "server \(Int(last.serverMicroseconds)) µs CPU per call), redis-benchmark "
                    + "\(Int(lastReference.rate)) /s (client \(Int(lastReference.clientMicroseconds)) µs, "
                    + "server \(Int(lastReference.serverMicroseconds)) µs)")
        }
        return comparison
    }

    private func redisVersion(_ connection: RedisConnection) throws -> String {
        let info = try connection.send(RedisCommand("INFO", "server")).string ?? ""
        let line = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("redis_version:") }
        return line.map { String($0.dropFirst("redis_version:".count)) } ?? "unknown"
    }

    private func progress(_ message: String) {
        StandardError.line("maestro-bench: \(message)")
    }
}
