import BenchReporting
import Foundation
import RedisTestSupport

/// Everything one run measured, printed as a table for people and as one JSON line for machines.
struct RelayBenchReport {
    var options: RelayBenchOptions
    var redisVersion: String
    var cores: Int
    var rounds: [LatencyRound]
    var serverMemory: IdleMemory
    var redisMemory: IdleMemory
    /// maestro-server's log lines at warning level or above, during the whole run.
    var serverWarnings: [String]

    /// p99 over WebSocket must be at most this many milliseconds…
    static let p99Target = 5.0
    /// …and at most this many times the raw subscribers' p99 in the same run…
    static let ratioTarget = 1.2
    /// …with maestro-server using at most this many cores for the whole load.
    static let serverCoresTarget = 0.3

    /// One side's rounds, summarised: medians of the per-round percentiles, totals of the counts.
    struct SideSummary: Encodable {
        var p50: Double
        var p99: Double
        var max: Double
        var frames: Int
        var lost: Int
        var duplicates: Int
        var endedEarly: Int
        var cpuBench: Double
        var cpuServer: Double
        var cpuServerKernel: Double
        var cpuRedis: Double
        var cpuRedisKernel: Double
        var roundsP99: [Double]
    }

    func summary(_ side: LatencyRound.Side) -> SideSummary {
        let mine = rounds.filter { $0.side == side }
        return SideSummary(
            p50: mine.map(\.p50).median, p99: mine.map(\.p99).median, max: mine.map(\.max).median,
            frames: mine.reduce(0) { $0 + $1.framesReceived }, lost: mine.reduce(0) { $0 + $1.lost },
            duplicates: mine.reduce(0) { $0 + $1.duplicates },
            endedEarly: mine.reduce(0) { $0 + $1.endedEarly.values.reduce(0, +) },
            cpuBench: mine.map(\.cpu.bench).median, cpuServer: mine.map(\.cpu.server).median,
            cpuServerKernel: mine.map(\.cpu.serverKernel).median, cpuRedis: mine.map(\.cpu.redis).median,
            cpuRedisKernel: mine.map(\.cpu.redisKernel).median, roundsP99: mine.map { rounded($0.p99, 3) })
    }

    var ratio: Double { summary(.webSocket).p99 / summary(.raw).p99 }
    var p99Met: Bool { summary(.webSocket).p99 <= Self.p99Target }
    var ratioMet: Bool { ratio <= Self.ratioTarget }
    var serverCoresMet: Bool { summary(.webSocket).cpuServer <= Self.serverCoresTarget }
    var memoryMet: Bool { serverMemory.perConnectionKiB <= IdleMemory.target }
    /// Every WebSocket client must see every event: anything else is a bug, not noise.
    var webSocketComplete: Bool {
        let ws = summary(.webSocket)
        return ws.lost == 0 && ws.duplicates == 0
    }

    func table() -> String {
        let events = options.rate * options.clients
        var lines = [
            "maestro-relay-bench (\(options.mode) run): redis-server \(redisVersion), \(cores) cores; "
                + "\(options.clients) receivers per side, \(options.rate) events/s (\(events) frames/s), "
                + "\(fixed(options.seconds, 1)) s per round, \(options.rounds) round(s) per side; "
                + "medians of the rounds",
            "",
            "R1. Latency, commit (taken just before the FCALL) to frame parsed at the client, ms",
        ]
        let widths = [26, 7, 7, 8, 9, 6, 28]
        lines.append(row(["side", "p50", "p99", "max", "frames", "lost", "CPU cores bench/server/redis"], widths))
        for side in [LatencyRound.Side.raw, .webSocket] {
            let s = summary(side)
            lines.append(
                row(
                    [
                        side == .raw ? "raw SSUBSCRIBE (reference)" : side.rawValue, fixed(s.p50, 2), fixed(s.p99, 2),
                        fixed(s.max, 2), String(s.frames), String(s.lost),
                        "\(fixed(s.cpuBench, 2)) / \(fixed(s.cpuServer, 2)) / \(fixed(s.cpuRedis, 2))",
                    ], widths))
        }
        let ws = summary(.webSocket)
        lines.append(
            "p99 over /ws: \(fixed(ws.p99, 2)) ms (target ≤ \(fixed(Self.p99Target, 1)) ms): \(verdict(p99Met))")
        lines.append(
            "p99 /ws ÷ p99 raw: \(fixed(ratio, 2)) (target ≤ \(fixed(Self.ratioTarget, 1))): \(verdict(ratioMet))")
        let raw = summary(.raw)
        lines.append(
            "maestro-server CPU for \(events) frames/s: \(fixed(ws.cpuServer, 2)) cores, "
                + "\(fixed(ws.cpuServerKernel, 2)) of them in the kernel (target ≤ \(fixed(Self.serverCoresTarget, 1))): "
                + "\(verdict(serverCoresMet))")
        lines.append(
            "  reference: redis-server writing the same frames to raw subscribers: \(fixed(raw.cpuRedis, 2)) cores, "
                + "\(fixed(raw.cpuRedisKernel, 2)) in the kernel; maestro-server ÷ redis-server: "
                + fixed(ws.cpuServer / raw.cpuRedis, 2))
        lines.append(
            webSocketComplete
                ? "events lost over /ws: 0 (every client saw every event once)"
                : "!!! EVENTS LOST OVER /ws: \(ws.lost) lost, \(ws.duplicates) duplicated, "
                    + "\(ws.endedEarly) connections ended early — a relay bug, not noise !!!")
        lines.append("")
        lines.append(
            "R2. Resident memory (VmRSS) per idle connection, \(serverMemory.connections) connections, "
                + "no events flowing"
                + (serverMemory.connections < options.idle
                    ? " (\(options.idle) asked: more than this machine's open-file limit per process)" : ""))
        let memoryWidths = [36, 11, 10, 15, 8]
        lines.append(row(["process", "before MiB", "after MiB", "KiB/connection", "target"], memoryWidths))
        lines.append(
            row(
                [
                    "maestro-server, /ws", fixed(Double(serverMemory.beforeKiB) / 1024, 1),
                    fixed(Double(serverMemory.afterKiB) / 1024, 1), fixed(serverMemory.perConnectionKiB, 2),
                    "≤ \(fixed(IdleMemory.target, 0))  \(verdict(memoryMet))",
                ], memoryWidths))
        lines.append(
            row(
                [
                    "redis-server, SSUBSCRIBE (reference)", fixed(Double(redisMemory.beforeKiB) / 1024, 1),
                    fixed(Double(redisMemory.afterKiB) / 1024, 1), fixed(redisMemory.perConnectionKiB, 2), "",
                ], memoryWidths))
        if !serverWarnings.isEmpty {
            lines.append("")
            lines.append("maestro-server logged \(serverWarnings.count) warning(s) or error(s); the first:")
            lines.append(contentsOf: serverWarnings.prefix(5).map { "  " + $0 })
        }
        return lines.joined(separator: "\n")
    }

    /// One line of JSON: latencies in ms, memory in KiB.
    func jsonLine() throws -> String {
        struct Memory: Encodable {
            var connections: Int
            var serverKiBPerConnection: Double
            var redisKiBPerConnection: Double
        }
        struct Targets: Encodable {
            var p99: Bool
            var ratio: Bool
            var serverCores: Bool
            var memory: Bool
            var noLoss: Bool
        }
        struct Line: Encodable {
            var mode: String
            var clients: Int
            var rate: Int
            var seconds: Double
            var rounds: Int
            var units: [String: String]
            var raw: SideSummary
            var webSocket: SideSummary
            var ratioP99: Double
            var idle: Memory
            var targets: Targets
            var serverWarnings: Int
        }
        func roundedSummary(_ side: LatencyRound.Side) -> SideSummary {
            var s = summary(side)
            (s.p50, s.p99, s.max) = (rounded(s.p50, 3), rounded(s.p99, 3), rounded(s.max, 3))
            (s.cpuBench, s.cpuServer, s.cpuServerKernel, s.cpuRedis, s.cpuRedisKernel) = (
                rounded(s.cpuBench, 2), rounded(s.cpuServer, 2), rounded(s.cpuServerKernel, 2), rounded(s.cpuRedis, 2),
                rounded(s.cpuRedisKernel, 2)
            )
            return s
        }
        let line = Line(
            mode: options.mode, clients: options.clients, rate: options.rate,
            seconds: options.seconds, rounds: options.rounds,
            units: ["latency": "ms", "memory": "KiB", "cpu": "cores"],
            raw: roundedSummary(.raw), webSocket: roundedSummary(.webSocket), ratioP99: rounded(ratio, 3),
            idle: Memory(
                connections: serverMemory.connections,
                serverKiBPerConnection: rounded(serverMemory.perConnectionKiB, 2),
                redisKiBPerConnection: rounded(redisMemory.perConnectionKiB, 2)),
            targets: Targets(
                p99: p99Met, ratio: ratioMet, serverCores: serverCoresMet, memory: memoryMet, noLoss: webSocketComplete),
            serverWarnings: serverWarnings.count)
        return try encodedLine(line)
    }


}


