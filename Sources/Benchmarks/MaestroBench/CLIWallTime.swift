import BenchReporting
import Foundation
import RedisClient
import RedisTestSupport

/// The CLI comparison: one `maestro task update TASK --status working` process next to one `redis-cli`
/// process making the same FCALL (same arguments, a fresh idempotency key each), each run from launch to exit.
struct CLIWallTime {
    /// Median wall times, in seconds.
    struct Result {
        var maestro: Double
        var redisCLI: Double
        /// Launching and reaping a process that does nothing (`true`): the part of both numbers that is
        /// neither Maestro nor Redis.
        var spawnFloor: Double?
    }

    let tools: ExternalTools
    let server: RedisTestServer
    let fixture: BenchFixture

    /// The environment an agent session's container provides, on top of ours.
    private var maestroEnvironment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["MAESTRO_REDIS_URL"] = server.url
        environment["MAESTRO_PROJECT_ID"] = fixture.scope.projectId
        environment["MAESTRO_SESSION_ID"] = fixture.session.sessionId
        environment["MAESTRO_SESSION_TOKEN"] = fixture.session.token
        // The same stream cap as redis-cli's argument vector, so both make the identical call.
        environment["MAESTRO_STREAM_MAXLEN"] = String(fixture.scope.streamMaxLength)
        return environment
    }

    private var maestroArguments: [String] { ["task", "update", fixture.taskId, "--status", "working"] }
    /// A new argument vector per run, each with a fresh idempotency key, as the CLI does.
    private func redisCLIArguments() -> [String] {
        ["-h", "127.0.0.1", "-p", String(server.port)] + fixture.cliTransitionArguments()
    }

    /// Runs each side `runs` times, interleaved (alternating which goes first), after one checked warm-up each.
    func measure(runs: Int, control: RedisConnection) throws -> Result {
        let before = try fixture.taskVersion(on: control)
        try warmUp()
        let floor = ["/bin/true", "/usr/bin/true"].first { FileManager.default.isExecutableFile(atPath: $0) }
            .map { URL(fileURLWithPath: $0) }
        var maestro: [Double] = []
        var redisCLI: [Double] = []
        var spawn: [Double] = []
        for round in 0..<runs {
            let runMaestro = {
                maestro.append(
                    try ChildProcess.run(tools.maestro, maestroArguments, environment: maestroEnvironment).wallTime
                        .seconds)
            }
            let runRedisCLI = {
                redisCLI.append(try ChildProcess.run(tools.redisCLI, redisCLIArguments()).wallTime.seconds)
            }
            if round % 2 == 0 {
                try runMaestro()
                try runRedisCLI()
            } else {
                try runRedisCLI()
                try runMaestro()
            }
            if let floor { spawn.append(try ChildProcess.run(floor, []).wallTime.seconds) }
        }
        // redis-cli exits with 0 even for an error reply: the task's version proves every call was applied.
        try fixture.expectApplied(2 * runs + 2, since: before, by: "the CLI runs", on: control)
        return Result(
            maestro: maestro.median, redisCLI: redisCLI.median, spawnFloor: spawn.isEmpty ? nil : spawn.median)
    }

    /// One run of each with its output checked, so a misconfiguration fails loudly instead of timing errors.
    private func warmUp() throws {
        let ours = try ChildProcess.run(
            tools.maestro, maestroArguments, environment: maestroEnvironment, capturingOutput: true
        ).standardOutput
        guard ours.hasPrefix("\(fixture.taskId): working") else {
            throw BenchError("maestro task update printed something unexpected: \(ours)")
        }
        let reference = try ChildProcess.run(tools.redisCLI, redisCLIArguments(), capturingOutput: true).standardOutput
        guard reference.hasPrefix("{") else {
            throw BenchError("redis-cli did not get a JSON reply from maestro_update_progress: \(reference)")
        }
    }
}
