import BenchReporting
import Foundation
import MaestroDomain
import MaestroStore
import RedisClient
import RedisTestSupport

/// `maestro-bench --large`: one project of `tasks` tasks and `sessions` sessions (most tasks finished, as in a
/// long-lived project), then every kind of call it serves, each timed inside Redis (`INFO commandstats`: the duration
/// of the function call itself) plus the server's own work on the reply, and Redis memory per key kind (`MEMORY
/// USAGE`) and per change.
struct LargeProject {
    let tasks: Int
    let sessions: Int
    /// Calls measured per kind.
    let samples: Int

    /// The target for every single call, median inside Redis (bulk calls, whose work grows with their input, are
    /// reported without one).
    static let callTarget = 5_000.0
    /// The target for a page of 1,000 task summaries, server time.
    static let pageTarget = 20_000.0
    static let taskMemoryTarget = 600.0
    /// The page the dashboard loads first, and the reference for it.
    static let openSummaryPage = "summaries 1000, todo+inprogress"
    static let openSummaryPageReads = "reference: its reads alone (EVAL)"
    static let updateMemoryTarget = 400.0

    struct CallTimes {
        var name: String
        /// Microseconds of server time per call: inside Redis plus `outsideRedis`.
        var durations: [Double]
        /// Of these, the server's own work on the reply (laying out a page of summaries), per call.
        var outsideRedis: [Double]
        /// nil: reported only.
        var target: Double?
    }

    struct Report {
        var tasks: Int
        var sessions: Int
        var seedSeconds: Double
        var calls: [CallTimes]
        /// Bytes per key kind: (kind, keys measured, bytes per key).
        var memory: [(kind: String, keys: Int, bytes: Double)]
        var bytesPerTask: Double
        var bytesPerUpdate: Double
        var archive: ArchiveMemory
    }

    func run() throws -> Report {
        let server = try RedisTestServer()
        let interruptGuard = InterruptGuard(stopping: server)
        defer {
            interruptGuard.cancel()
            server.stop()
        }
        let connection = server.connect()
        try FunctionLibrary.install(on: connection)
        let scope = try ProjectScope(projectId: "large", streamMaxLength: 10_000)
        let started = ContinuousClock.now
        let seeded = try LargeProjectSeed(scope: scope, tasks: tasks, sessions: sessions).plant(on: connection)
        let seedSeconds = (ContinuousClock.now - started).seconds
        progress("seeded \(tasks) tasks, \(sessions) sessions in \(String(format: "%.1f", seedSeconds)) s")

        let calls = try measureCalls(seeded, connection)
        let memory = try memoryByKind(scope, connection)
        let perTask = try bytesPerTask(scope, connection)
        // Before the updates, which fill a hundred tasks' histories to their cap.
        let archive = try archiveMemory(scope, connection)
        let perUpdate = try bytesPerUpdate(seeded, connection)
        return Report(
            tasks: tasks, sessions: sessions, seedSeconds: seedSeconds, calls: calls, memory: memory,
            bytesPerTask: perTask, bytesPerUpdate: perUpdate, archive: archive)
    }

    /// Every call kind, `samples` times each: its duration inside Redis (`INFO commandstats` after `CONFIG
    /// RESETSTAT`, with nothing else run between: the slow log would log every command the function runs, and its
    /// own cost would count), plus the server's own work on the reply where it does some (laying out a page of
    /// summaries).
    private func measureCalls(_ seeded: LargeProjectSeed.Planted, _ connection: RedisConnection) throws
        -> [CallTimes]
    {
        let scope = seeded.scope
        let middle = tasks / 2
        // Each kind: its name, its target, the calls to make before it (not measured), and one measured call, which
        // returns the server's own work on the reply in µs.
        var kinds: [(name: String, target: Double?, prepare: (Int) throws -> Void, call: (Int) throws -> Double)] = []
        func add(
            _ name: String, target: Double? = Self.callTarget, prepare: @escaping (Int) throws -> Void = { _ in },
            _ call: @escaping (Int) throws -> Void
        ) {
            kinds.append((name, target, prepare, { index in
                try call(index)
                return 0
            }))
        }
        /// A summary page, whose JSON the server lays out from the function's reply.
        func addSummaryPage(_ name: String, statuses: [TaskStatus], offset: Int) {
            kinds.append((name, Self.pageTarget, { _ in }, { _ in
                let page = ListTaskSummaries(scope: scope, statuses: statuses, offset: offset, limit: 1000)
                let reply = try connection.send(page.command)
                let started = ContinuousClock.now
                _ = try page.decode(reply)
                return (ContinuousClock.now - started).seconds * 1e6
            }))
        }
        add("get_task") { index in
            _ = try connection.run(GetTask(scope: scope, taskId: seeded.taskIds[index * 7919 % tasks]))
        }
        add("list_tasks 100, all, offset 0") { _ in
            _ = try connection.run(ListTasks(scope: scope, limit: 100))
        }
        add("list_tasks 100, completed, offset n/4") { _ in
            _ = try connection.run(ListTasks(scope: scope, statuses: [.completed], offset: middle / 2, limit: 100))
        }
        add("list_tasks 100, todo+inprogress, n/4") { _ in
            _ = try connection.run(
                ListTasks(scope: scope, statuses: [.todo, .inprogress], offset: tasks / 4, limit: 100))
        }
        addSummaryPage(Self.openSummaryPage, statuses: [.todo, .inprogress], offset: 0)
        add(Self.openSummaryPageReads, target: nil) { _ in
            _ = try connection.send(SummaryPageReads.command(scope: scope, statuses: [.todo, .inprogress], limit: 1000))
        }
        addSummaryPage("summaries 1000, completed+cancelled, n/2", statuses: [.completed, .cancelled], offset: middle)
        add("update_progress") { index in
            let (session, taskId) = seeded.working[index % seeded.working.count]
            _ = try connection.run(
                UpdateProgress(
                    scope: scope, session: session, taskId: taskId, status: .working,
                    idempotencyKey: RandomIdentifier.make(prefix: "cli")))
        }
        var statusChange: (taskId: String, status: TaskStatus)?
        add(
            "update_task status",
            prepare: { index in
                let taskId = seeded.taskIds[(index * 104_729) % tasks]
                let task = try connection.run(GetTask(scope: scope, taskId: taskId))
                statusChange = (taskId, TaskStatusTransition.allowedTargets(from: task.status).first!)
            }
        ) { _ in
            guard let (taskId, status) = statusChange else { return }
            _ = try connection.run(UpdateTask(scope: scope, taskId: taskId, status: status))
        }
        add("create_task") { index in
            _ = try connection.run(CreateTask(scope: scope, taskId: "new-\(index)", title: "A new task \(index)"))
        }
        var queuer: SessionCredentials?
        add(
            "queue_tasks, 1,000 tasks", target: nil,
            prepare: { index in
                queuer = SessionCredentials(sessionId: "queuer-\(index)", token: RandomIdentifier.token())
                _ = try connection.run(SpawnSession(scope: scope, credentials: queuer!, spawnSource: .ui))
            }
        ) { index in
            guard let queuer else { return }
            let first = (index * 997) % max(1, seeded.openTaskIds.count - 1000)
            _ = try connection.run(
                QueueTasks(scope: scope, session: queuer, taskIds: Array(seeded.openTaskIds[first..<first + 1000])))
        }
        add("spawn_session, 1 task") { index in
            _ = try connection.run(
                SpawnSession(
                    scope: scope,
                    credentials: SessionCredentials(sessionId: "spawned-\(index)", token: RandomIdentifier.token()),
                    spawnSource: .ui, taskIds: [seeded.openTaskIds[index % seeded.openTaskIds.count]]))
        }
        let exportPage = ExportPage<TaskPage>.pageSize
        add("export_tasks page \(exportPage)", target: Self.pageTarget) { index in
            _ = try connection.run(ExportPage.tasks(scope: scope, offset: (index * exportPage) % tasks))
        }
        add("sweep_leases") { _ in _ = try connection.run(SweepLeases(scope: scope)) }

        var results: [CallTimes] = []
        for kind in kinds {
            var durations: [Double] = []
            var outsideRedis: [Double] = []
            for index in 0..<samples {
                try kind.prepare(index)
                _ = try connection.send(RedisCommand("CONFIG", "RESETSTAT"))
                outsideRedis.append(try kind.call(index))
                durations.append(try callDuration(connection) + outsideRedis.last!)
            }
            results.append(
                CallTimes(name: kind.name, durations: durations, outsideRedis: outsideRedis, target: kind.target))
            progress(
                "\(kind.name): \(durations.count) calls, median \(Int(durations.median)) µs, "
                    + "max \(Int(durations.max() ?? 0)) µs")
        }
        return results
    }

    /// The duration (µs) of the one script or function call Redis ran since `CONFIG RESETSTAT`, inner commands
    /// included.
    private func callDuration(_ connection: RedisConnection) throws -> Double {
        let info = try connection.send(RedisCommand("INFO", "commandstats")).string ?? ""
        let lines = info.split(whereSeparator: \.isNewline).filter {
            $0.hasPrefix("cmdstat_fcall:") || $0.hasPrefix("cmdstat_fcall_ro:") || $0.hasPrefix("cmdstat_eval:")
        }
        guard lines.count == 1, lines[0].contains("calls=1,"),
            let usec = lines[0].split(separator: ",").first(where: { $0.hasPrefix("usec=") })?.dropFirst(5),
            let duration = Double(usec)
        else { throw BenchError("expected one call in INFO commandstats, got \(lines)") }
        return duration
    }

    /// Bytes per key of each kind, sampled with MEMORY USAGE (SAMPLES 0: every element counted).
    private func memoryByKind(_ scope: ProjectScope, _ connection: RedisConnection) throws
        -> [(kind: String, keys: Int, bytes: Double)]
    {
        let prefix = scope.keyPrefix
        let patterns: [(String, String)] = [
            ("task hash", "task:*"), ("progress hash", "task:*/progress/*"), ("task history list", "task:*/history"),
            ("session hash", "session:*"), ("session tasks list", "session:*/tasks"),
            ("idempotency record", "idem/*"),
        ]
        var kinds: [(kind: String, keys: Int, bytes: Double)] = []
        for (kind, pattern) in patterns {
            var keys = try connection.send(RedisCommand("KEYS", prefix + pattern)).array?.compactMap(\.string) ?? []
            // `task:*` also matches nested keys: keep the kind's own.
            if pattern == "task:*" { keys = keys.filter { !$0.contains("/") } }
            if pattern == "session:*" { keys = keys.filter { !$0.contains("/") } }
            let sample = Array(keys.prefix(2000))
            var total = 0.0
            for key in sample {
                total += Double(try connection.send(RedisCommand("MEMORY", "USAGE", key, "SAMPLES", "0")).integer ?? 0)
            }
            kinds.append((kind, keys.count, sample.isEmpty ? 0 : total / Double(sample.count)))
        }
        for name in ["tasks/todo", "tasks/inprogress", "tasks/completed", "tasks/cancelled", "sessions", "events"] {
            let bytes = try connection.send(RedisCommand("MEMORY", "USAGE", prefix + name, "SAMPLES", "0")).integer
            kinds.append(("\(name) (whole key)", 1, Double(bytes ?? 0)))
        }
        return kinds
    }

    /// Redis's memory for the project's tasks, divided by their number: every key that exists because of a task
    /// (its hash with its links, its share of the ordered sets, its history), without the progress entries.
    func bytesPerTask(_ scope: ProjectScope, _ connection: RedisConnection) throws -> Double {
        let keys =
            try connection.send(RedisCommand("KEYS", scope.keyPrefix + "task:*")).array?.compactMap(\.string)
            ?? []
        var total = 0.0
        var count = 0
        for key in keys where !key.contains("/progress/") {
            total += Double(try connection.send(RedisCommand("MEMORY", "USAGE", key, "SAMPLES", "0")).integer ?? 0)
            if !key.contains("/") { count += 1 }
        }
        for name in ["tasks/todo", "tasks/inprogress", "tasks/completed", "tasks/cancelled"] {
            total += Double(
                try connection.send(RedisCommand("MEMORY", "USAGE", scope.keyPrefix + name, "SAMPLES", "0")).integer
                    ?? 0)
        }
        return count == 0 ? 0 : total / Double(count)
    }

    /// Redis's used memory growth per progress update at steady state (the stream and these tasks' histories
    /// already at their caps): `used_memory` before and after 20,000 more updates on 100 tasks, each with its own
    /// idempotency key, as the CLI sends them.
    private func bytesPerUpdate(_ seeded: LargeProjectSeed.Planted, _ connection: RedisConnection) throws -> Double {
        let working = Array(seeded.working.prefix(100))
        func usedMemory() throws -> Double {
            let info = try connection.send(RedisCommand("INFO", "memory")).string ?? ""
            let line = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("used_memory:") }
            return Double(line?.dropFirst("used_memory:".count) ?? "") ?? 0
        }
        let updates = 20_000
        func run(_ count: Int) throws {
            for start in stride(from: 0, to: count, by: 500) {
                let commands = (start..<min(count, start + 500)).map { index -> RedisCommand in
                    let (session, taskId) = working[index % working.count]
                    return UpdateProgress(
                        scope: seeded.scope, session: session, taskId: taskId, status: .working,
                        notes: "step \(index)", idempotencyKey: RandomIdentifier.make(prefix: "cli")
                    ).command
                }
                _ = try connection.pipeline(commands)
            }
        }
        try run(max(updates, 120 * working.count))  // fills the stream and the histories to their caps
        let before = try usedMemory()
        try run(updates)
        return (try usedMemory() - before) / Double(updates)
    }

    func progress(_ message: String) {
        StandardError.line("maestro-bench: \(message)")
    }
}
