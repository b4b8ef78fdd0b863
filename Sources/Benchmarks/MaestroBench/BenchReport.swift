import BenchReporting
import Foundation
import RedisTestSupport

/// Everything one run measured, printed as a table for people and as one JSON line for machines.
struct BenchReport {
    var options: BenchOptions
    var redisVersion: String
    var cores: Int
    var store: [StoreComparison]
    /// Empty unless `--breakdown` was given.
    var breakdown: [StoreBreakdown.Variant]
    var cli: CLIWallTime.Result
    var mcp: MCPStartup.Result
    /// nil when no maestro-server binary was there to serve HTTPS.
    var https: HTTPSWallTime.Result?
    /// XLEN of the project's stream at the end: shows the cap kept memory bounded.
    var streamLength: Int

    /// The CLI must not be slower than redis-cli making the same call.
    static let cliTarget = 1.0

    var cliRatio: Double { cli.maestro / cli.redisCLI }

    /// Over HTTPS, the CLI must not be slower than curl making the same request.
    static let httpsTarget = 1.0

    /// The human-readable table.
    func table() -> String {
        var lines: [String] = []
        lines.append(
            "maestro-bench (\(options.quick ? "quick" : "full") run): redis-server \(redisVersion), \(cores) cores, "
                + "medians of \(options.repeats) measurements per side, stream capped at ~\(options.streamMaxLength) "
                + "(XLEN at end: \(streamLength))")
        lines.append("")
        lines.append("A. Store throughput, FCALL maestro_update_progress (working re-report), transitions/s")
        lines.append(
            row(
                [
                    "concurrency", "requests", "blocking", "pool", "redis-benchmark", "ratio", "ratio pool", "target",
                    "",
                ],
                [11, 9, 9, 9, 16, 6, 10, 7, 6]))
        let storeTarget = "≥ \(fixed(StoreComparison.target, 1))"
        for level in store {
            lines.append(
                row(
                    [
                        String(level.concurrency), String(level.requests), grouped(level.oursRate),
                        grouped(level.pooledRate), grouped(level.referenceRate), fixed(level.ratio, 3),
                        fixed(level.pooledRatio, 3), storeTarget,
                        max(level.ratio, level.pooledRatio) >= StoreComparison.target ? "met" : "MISSED",
                    ], [11, 9, 9, 9, 16, 6, 10, 7, 6]))
        }
        lines.append("")
        lines.append("A1. CPU time per call, µs (medians): the client and redis-server share the \(cores) cores")
        let cpuWidths = [11, 12, 16, 13, 17]
        lines.append(
            row(
                ["concurrency", "blocking", "redis-benchmark", "server (ours)", "server (reference)"],
                cpuWidths))
        for level in store {
            lines.append(
                row(
                    [
                        String(level.concurrency), fixed(level.ours.map(\.clientMicroseconds).median, 1),
                        fixed(level.reference.map(\.clientMicroseconds).median, 1),
                        fixed(level.ours.map(\.serverMicroseconds).median, 1),
                        fixed(level.reference.map(\.serverMicroseconds).median, 1),
                    ], cpuWidths))
        }
        if !breakdown.isEmpty {
            lines.append("")
            lines.append("A2. Where a call's time goes at concurrency 1 (same transition, medians)")
            lines.append(row(["way of calling", "calls/s", "µs/call"], [42, 9, 8]))
            if let reference = store.first(where: { $0.concurrency == 1 })?.referenceRate {
                lines.append(
                    row(
                        ["redis-benchmark -c 1 (reference)", grouped(reference), fixed(1e6 / reference, 1)],
                        [42, 9, 8]))
            }
            for variant in breakdown {
                let rate = variant.rates.median
                lines.append(row([variant.name, grouped(rate), fixed(1e6 / rate, 1)], [42, 9, 8]))
            }
        }
        lines.append("")
        lines.append(
            "B. CLI process wall time, one `task update --status working`, median of \(options.cliRuns) runs each")
        lines.append(row(["process", "median ms"], [38, 9]))
        lines.append(row(["maestro task update (release binary)", fixed(cli.maestro * 1000, 2)], [38, 9]))
        lines.append(row(["redis-cli FCALL maestro_update_progress", fixed(cli.redisCLI * 1000, 2)], [38, 9]))
        if let floor = cli.spawnFloor {
            lines.append(row(["(spawn floor: true)", fixed(floor * 1000, 2)], [38, 9]))
        }
        lines.append(
            "ratio maestro / redis-cli: \(fixed(cliRatio, 3)) (target ≤ \(fixed(Self.cliTarget, 1)): "
                + "\(cliRatio <= Self.cliTarget ? "met" : "MISSED"))")
        lines.append("")
        lines.append("B1. maestro mcp start-up: launch → `initialize` answered, median of \(options.cliRuns) runs each")
        lines.append(row(["process", "median ms"], [38, 9]))
        lines.append(row(["maestro mcp (initialize answered)", fixed(mcp.initialize * 1000, 2)], [38, 9]))
        lines.append(row(["redis-cli PING (launch to exit)", fixed(mcp.redisCLIPing * 1000, 2)], [38, 9]))
        let mcpVerdict = mcp.initialize <= MCPStartup.target ? "met" : "MISSED"
        lines.append(
            "target ≤ \(fixed(MCPStartup.target * 1000, 0)) ms: \(mcpVerdict) (ratio to redis-cli PING: "
                + "\(fixed(mcp.initialize / mcp.redisCLIPing, 3)))")
        lines.append("")
        lines.append(
            "C. The same over HTTPS to maestro-server (TLS, certificate verified), median of \(options.cliRuns) runs each"
        )
        if let https {
            let ratio = https.maestro / https.curl
            lines.append(row(["process", "median ms"], [38, 9]))
            lines.append(
                row(["maestro task update (MAESTRO_URL=https)", fixed(https.maestro * 1000, 2)], [38, 9]))
            lines.append(row(["curl PUT …/sessions/S/status", fixed(https.curl * 1000, 2)], [38, 9]))
            lines.append(
                "ratio maestro / curl: \(fixed(ratio, 3)) (target ≤ \(fixed(Self.httpsTarget, 1)): "
                    + "\(ratio <= Self.httpsTarget ? "met" : "MISSED"))")
        } else {
            lines.append("skipped: no maestro-server binary (--server PATH)")
        }
        return lines.joined(separator: "\n")
    }

    /// One line of JSON: store throughput in transitions/s, CLI wall times in milliseconds.
    func jsonLine() throws -> String {
        struct CPU: Encodable {
            var oursClient: Double
            var referenceClient: Double
            var serverDuringOurs: Double
            var serverDuringReference: Double
        }
        struct Pair: Encodable {
            var ours: Double
            var pool: Double
            var reference: Double
            var ratio: Double
            var poolRatio: Double
            var requests: Int
            /// Microseconds of CPU per call.
            var cpu: CPU
        }
        struct CLI: Encodable {
            var ours: Double
            var reference: Double
            var ratio: Double
            var spawnFloor: Double?
            var runs: Int
        }
        struct MCP: Encodable {
            var initialize: Double
            var reference: Double
            var target: Double
            var runs: Int
        }
        struct Line: Encodable {
            var mode: String
            var units: [String: String]
            var store: [String: Pair]
            var breakdown: [String: Double]?
            var cli: CLI
            var mcp: MCP
            var https: CLI?
        }
        let line = Line(
            mode: options.quick ? "quick" : "full",
            units: ["store": "transitions/s", "cpu": "microseconds/call", "cli": "ms", "mcp": "ms"],
            store: Dictionary(
                uniqueKeysWithValues: store.map {
                    (
                        String($0.concurrency),
                        Pair(
                            ours: rounded($0.oursRate, 1), pool: rounded($0.pooledRate, 1),
                            reference: rounded($0.referenceRate, 1), ratio: rounded($0.ratio, 3),
                            poolRatio: rounded($0.pooledRatio, 3), requests: $0.requests,
                            cpu: CPU(
                                oursClient: rounded($0.ours.map(\.clientMicroseconds).median, 1),
                                referenceClient: rounded($0.reference.map(\.clientMicroseconds).median, 1),
                                serverDuringOurs: rounded($0.ours.map(\.serverMicroseconds).median, 1),
                                serverDuringReference: rounded($0.reference.map(\.serverMicroseconds).median, 1)))
                    )
                }),
            breakdown: breakdown.isEmpty
                ? nil : Dictionary(uniqueKeysWithValues: breakdown.map { ($0.name, rounded($0.rates.median, 1)) }),
            cli: CLI(
                ours: rounded(cli.maestro * 1000, 3), reference: rounded(cli.redisCLI * 1000, 3),
                ratio: rounded(cliRatio, 3), spawnFloor: cli.spawnFloor.map { rounded($0 * 1000, 3) },
                runs: options.cliRuns),
            mcp: MCP(
                initialize: rounded(mcp.initialize * 1000, 3), reference: rounded(mcp.redisCLIPing * 1000, 3),
                target: MCPStartup.target * 1000, runs: options.cliRuns),
            https: https.map {
                CLI(
                    ours: rounded($0.maestro * 1000, 3), reference: rounded($0.curl * 1000, 3),
                    ratio: rounded($0.maestro / $0.curl, 3), spawnFloor: nil, runs: options.cliRuns)
            })
        return try encodedLine(line)
    }




}
