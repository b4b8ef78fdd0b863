import BenchReporting
import Foundation
import MaestroDomain
import MaestroStore
import RedisClient
import RedisTestSupport

/// One benchmark run, on the main thread: a private redis-server and the real maestro-server as children, the
/// latency rounds (raw and WebSocket interleaved), then the idle-memory measurement; both children are always
/// stopped again (see `ChildProcessGuard` for the ends that skip `defer`).
struct RelayBenchRun {
    let options: RelayBenchOptions
    /// The relay's queue limit for the child server: generous, so that a slow moment of the client side on this
    /// 2-core machine is measured as latency rather than cut off as a "client too slow" disconnect.
    static let queueLimit = 100_000
    /// Events committed before each measured window and not counted: connections, caches and the clients'
    /// first allocations settle.
    static let warmUpSeconds = 1.0

    /// Descriptors a process needs besides its receivers (or clients): Redis connections, files, the listener.
    static let spareDescriptors = 1_000

    func run() throws -> RelayBenchReport {
        let limit = try FileDescriptorLimit.raise(
            wanted: max(options.idle, options.clients) + Self.spareDescriptors,
            needed: options.clients + Self.spareDescriptors)
        // One process cannot hold more connections than its open-file limit allows: maestro-server holds one per
        // idle client, and so does redis-server.
        let idle = min(options.idle, limit - Self.spareDescriptors)
        if idle < options.idle {
            StandardError.line(
                "maestro-relay-bench: the open-file limit is \(limit) per process and cannot be raised here: "
                    + "measuring \(idle) idle connections instead of \(options.idle)")
        }
        ChildProcessGuard.install()
        // Protected mode would refuse the idle connections from 127.0.0.2 and up (it trusts 127.0.0.1 only); the
        // server listens on 127.0.0.1 alone either way.
        let redis = try RedisTestServer(
            arguments: ["--maxclients", String(idle + options.clients + 1_000), "--protected-mode", "no"])
        defer {
            redis.stop()
            ChildProcessGuard.watchRedis(0)
        }
        ChildProcessGuard.removeOnInterrupt(redis.directory)
        let control = redis.connect()
        let redisPid = try Self.infoField("process_id", section: "server", on: control).flatMap { Int32($0) } ?? 0
        ChildProcessGuard.watchRedis(redisPid)
        try FunctionLibrary.install(on: control)
        let redisVersion = try Self.infoField("redis_version", section: "server", on: control) ?? "unknown"

        let scope = try ProjectScope(projectId: "relaybench", streamMaxLength: 10_000)
        let publisher = try EventPublisher.prepare(scope: scope, on: redis.connect())
        let userToken = "mut_" + RandomIdentifier.token().dropFirst(4)
        let dataDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("maestro-relay-bench-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        ChildProcessGuard.removeOnInterrupt(dataDirectory)
        defer { try? FileManager.default.removeItem(at: dataDirectory) }
        let server = try ServerProcess(
            executable: URL(fileURLWithPath: options.serverPath), redisURL: redis.url, userToken: userToken,
            dataDirectory: dataDirectory, queueLimit: Self.queueLimit)
        defer { server.stop() }
        StandardError.line(
            "maestro-relay-bench: "
                + "redis-server \(redisVersion) (pid \(redisPid)) on port \(redis.port); maestro-server (pid \(server.pid)) "
                + "on port \(server.port); project \(scope.projectId)")

        let processes = Processes(server: server, redisPid: redisPid)
        var rounds: [LatencyRound] = []
        for round in 0..<options.rounds {
            // Which side goes first alternates, so a drift of the machine's load does not favour one side.
            let order: [LatencyRound.Side] = round % 2 == 0 ? [.raw, .webSocket] : [.webSocket, .raw]
            for side in order {
                let group =
                    side == .raw
                    ? EpollReceivers(
                        port: redis.port, wire: RedisSubscribeWire(channel: scope.liveChannel), count: options.clients)
                    : EpollReceivers(
                        port: server.port, wire: WebSocketWire(projectId: scope.projectId, token: userToken),
                        count: options.clients)
                let measured = try measureRound(side, group, publisher: publisher, processes: processes)
                StandardError.line(
                    "maestro-relay-bench: "
                        + "round \(round + 1) \(side.rawValue): p50 \(Self.decimal(measured.p50)) ms, "
                        + "p99 \(Self.decimal(measured.p99)) ms, max \(Self.decimal(measured.max)) ms, "
                        + "\(measured.framesReceived) frames, lost \(measured.lost), CPU cores "
                        + "bench \(Self.decimal(measured.cpu.bench)) server \(Self.decimal(measured.cpu.server)) "
                        + "redis \(Self.decimal(measured.cpu.redis))")
                if side == .webSocket && (measured.lost > 0 || measured.duplicates > 0) {
                    StandardError.line(
                        "maestro-relay-bench: "
                            + "!!! WebSocket clients LOST \(measured.lost) and got \(measured.duplicates) duplicate events "
                            + "in round \(round + 1); ended early: \(measured.endedEarly)")
                }
                rounds.append(measured)
            }
        }

        let serverMemory = try measureIdleWebSockets(idle, server: server, token: userToken, projectId: scope.projectId)
        let redisMemory = try measureIdleSubscribers(
            idle, redisPid: redisPid, port: redis.port, channel: scope.liveChannel)
        let warnings = server.loggedWarnings()
        server.stop()
        return RelayBenchReport(
            options: options, redisVersion: redisVersion, cores: ProcessInfo.processInfo.activeProcessorCount,
            rounds: rounds, serverMemory: serverMemory, redisMemory: redisMemory, serverWarnings: warnings)
    }

    /// The pids whose CPU time a round reads.
    private struct Processes {
        let server: ServerProcess
        let redisPid: Int32

        /// CPU seconds used so far by each process.
        func cpu() -> LatencyRound.CPUShare {
            let (server, redis) = (ProcessStats.cpuSeconds(of: server.pid), ProcessStats.cpuSeconds(of: redisPid))
            return LatencyRound.CPUShare(
                bench: ProcessStats.cpuSeconds(of: getpid()).total, server: server.total, serverKernel: server.kernel,
                redis: redis.total, redisKernel: redis.kernel)
        }
    }

    /// Connects the receivers, commits the warm-up and the measured events, waits for the stragglers, closes.
    private func measureRound(
        _ side: LatencyRound.Side, _ group: EpollReceivers, publisher: EventPublisher, processes: Processes
    ) throws -> LatencyRound {
        let port = processes.server.port
        try group.open(timeout: 120)
        if side == .webSocket { try waitForStreamClients(group.count, port: port) }
        let warmUp = try publisher.publish(rate: options.rate, seconds: Self.warmUpSeconds)
        group.measure(after: warmUp.keys.max() ?? .zero)
        let before = processes.cpu()
        let start = MonotonicClock.nanoseconds()
        let sendTimes = try publisher.publish(rate: options.rate, seconds: options.seconds)
        let sent = sendTimes.count
        let wall = Double(MonotonicClock.nanoseconds() - start) / 1e9
        let after = processes.cpu()
        let expected = sent * group.count
        if !MonotonicClock.wait(timeout: 10, until: { group.framesReceived >= expected }) {
            StandardError.line(
                "maestro-relay-bench: "
                    + "\(side.rawValue): \(expected - group.framesReceived) frames still missing after 10 s")
        }
        let results = try group.close()
        if side == .webSocket { try waitForStreamClients(0, port: port) }
        return LatencyRound(
            side: side, results: results, sendTimes: sendTimes,
            cpu: .init(
                bench: (after.bench - before.bench) / wall, server: (after.server - before.server) / wall,
                serverKernel: (after.serverKernel - before.serverKernel) / wall,
                redis: (after.redis - before.redis) / wall, redisKernel: (after.redisKernel - before.redisKernel) / wall))
    }

    /// Waits until maestro-server's relay counts exactly `count` stream clients (its own view of who is subscribed).
    private func waitForStreamClients(_ count: Int, port: Int, timeout: Double = 60) throws {
        var last: Double?
        let reached = try MonotonicClock.wait(timeout: timeout, interval: 0.05) {
            last = try HTTPGet.metric("maestro_stream_clients", port: port)
            return last.map { Int($0) == count } ?? (count == 0)
        }
        guard reached else {
            throw BenchError(
                "maestro-server reports \(last.map { String(Int($0)) } ?? "no") maestro_stream_clients, "
                    + "expected \(count)")
        }
    }

    /// maestro-server's RSS before and after `idle` idle WebSocket connections (no events flowing).
    private func measureIdleWebSockets(_ idle: Int, server: ServerProcess, token: String, projectId: String) throws
        -> IdleMemory
    {
        StandardError.line("maestro-relay-bench: idle memory: \(idle) WebSocket connections to maestro-server")
        try waitForStreamClients(0, port: server.port)
        Thread.sleep(forTimeInterval: 1)
        let before = try ProcessStats.residentKiB(of: server.pid)
        let ownBefore = try ProcessStats.residentKiB(of: getpid())
        let clients = EpollReceivers(
            port: server.port, wire: WebSocketWire(projectId: projectId, token: token), count: idle)
        try clients.open(timeout: 300)
        try waitForStreamClients(idle, port: server.port, timeout: 120)
        Thread.sleep(forTimeInterval: 2)
        let after = try ProcessStats.residentKiB(of: server.pid)
        let ownAfter = try ProcessStats.residentKiB(of: getpid())
        StandardError.line(
            "maestro-relay-bench: " + "  maestro-server RSS \(before) → \(after) KiB; this process (the clients) "
                + "\(ownBefore) → \(ownAfter) KiB")
        _ = clients.close()
        return IdleMemory(connections: idle, beforeKiB: before, afterKiB: after)
    }

    /// redis-server's RSS before and after `idle` idle SSUBSCRIBE connections, as the reference point.
    private func measureIdleSubscribers(_ idle: Int, redisPid: Int32, port: Int, channel: String) throws -> IdleMemory {
        StandardError.line("maestro-relay-bench: idle memory: \(idle) SSUBSCRIBE connections to redis-server")
        let before = try ProcessStats.residentKiB(of: redisPid)
        let subscribers = EpollReceivers(port: port, wire: RedisSubscribeWire(channel: channel), count: idle)
        try subscribers.open(timeout: 120)
        Thread.sleep(forTimeInterval: 2)
        let after = try ProcessStats.residentKiB(of: redisPid)
        StandardError.line("maestro-relay-bench:   redis-server RSS \(before) → \(after) KiB")
        _ = subscribers.close()
        return IdleMemory(connections: idle, beforeKiB: before, afterKiB: after)
    }

    private static func infoField(_ name: String, section: String, on connection: RedisConnection) throws -> String? {
        let info = try connection.send(RedisCommand("INFO", section)).string ?? ""
        let line = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix(name + ":") }
        return line.map { String($0.dropFirst(name.count + 1)) }
    }

    private static func decimal(_ value: Double) -> String { String(format: "%.2f", value) }
}
