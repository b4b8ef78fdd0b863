import BenchReporting
import Foundation
import MaestroDomain
import MaestroStore
import RedisClient
import RedisTestSupport

/// `maestro-bench --large`: one project of `tasks` tasks and `sessions` sessions (most tasks finished, as in a
/// long-lived project), then every kind of call it serves, each timed inside Redis (`SLOWLOG` with a threshold of
/// 0: the duration of the function call itself), and Redis memory per key kind (`MEMORY USAGE`) and per change.
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
        /// Microseconds inside Redis, per call.
        var durations: [Double]
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

    /// Every call kind, `samples` times each, with its duration from the slow log.
    private func measureCalls(_ seeded: LargeProjectSeed.Planted, _ connection: RedisConnection) throws
        -> [CallTimes]
    {
        let scope = seeded.scope
        _ = try connection.send(RedisCommand("CONFIG", "SET", "slowlog-log-slower-than", "0"))
        _ = try connection.send(RedisCommand("CONFIG", "SET", "slowlog-max-len", "64"))
        defer { _ = try? connection.send(RedisCommand("CONFIG", "SET", "slowlog-log-slower-than", "10000")) }
        let middle = tasks / 2
        // Each kind: its name, the function whose slow-log entries count (or EVAL for a reference script), its
        // target, and one call (setup calls made inside it, of other functions, are not counted).
        var kinds: [(name: String, function: String, target: Double?, call: (Int) throws -> Void)] = []
        func add(
            _ name: String, _ function: String, target: Double? = Self.callTarget,
            _ call: @escaping (Int) throws -> Void
        ) {
            kinds.append((name, function, target, call))
        }
        add("get_task", "get_task") { index in
            _ = try connection.run(GetTask(scope: scope, taskId: seeded.taskIds[index * 7919 % tasks]))
        }
        add("list_tasks 100, all, offset 0", "list_tasks") { _ in
            _ = try connection.run(ListTasks(scope: scope, limit: 100))
        }
        add("list_tasks 100, completed, offset n/4", "list_tasks") { _ in
            _ = try connection.run(ListTasks(scope: scope, statuses: [.completed], offset: middle / 2, limit: 100))
        }
        add("list_tasks 100, todo+inprogress, n/4", "list_tasks") { _ in
            _ = try connection.run(
                ListTasks(scope: scope, statuses: [.todo, .inprogress], offset: tasks / 4, limit: 100))
        }
        add(Self.openSummaryPage, "list_tasks", target: Self.pageTarget) { _ in
            _ = try connection.run(ListTaskSummaries(scope: scope, statuses: [.todo, .inprogress], limit: 1000))
        }
        add(Self.openSummaryPageReads, "EVAL", target: nil) { _ in
            _ = try connection.send(SummaryPageReads.command(scope: scope, statuses: [.todo, .inprogress], limit: 1000))
        }
        add("summaries 1000, completed+cancelled, n/2", "list_tasks", target: Self.pageTarget) { _ in
            _ = try connection.run(
                ListTaskSummaries(scope: scope, statuses: [.completed, .cancelled], offset: middle, limit: 1000))
        }
        add("update_progress", "update_progress") { index in
            let (session, taskId) = seeded.working[index % seeded.working.count]
            _ = try connection.run(
                UpdateProgress(
                    scope: scope, session: session, taskId: taskId, status: .working,
                    idempotencyKey: RandomIdentifier.make(prefix: "cli")))
        }
        add("update_task status", "update_task") { index in
            let taskId = seeded.taskIds[(index * 104_729) % tasks]
            let task = try connection.run(GetTask(scope: scope, taskId: taskId))
            let target = TaskStatusTransition.allowedTargets(from: task.status).first!
            _ = try connection.run(UpdateTask(scope: scope, taskId: taskId, status: target))
        }
        add("create_task", "create_task") { index in
            _ = try connection.run(CreateTask(scope: scope, taskId: "new-\(index)", title: "A new task \(index)"))
        }
        add("queue_tasks, 1,000 tasks", "queue_tasks", target: nil) { index in
            let session = SessionCredentials(sessionId: "queuer-\(index)", token: RandomIdentifier.token())
            _ = try connection.run(SpawnSession(scope: scope, credentials: session, spawnSource: .ui))
            let first = (index * 997) % max(1, seeded.openTaskIds.count - 1000)
            _ = try connection.run(
                QueueTasks(scope: scope, session: session, taskIds: Array(seeded.openTaskIds[first..<first + 1000])))
        }
        add("spawn_session, 1 task", "spawn_session") { index in
            _ = try connection.run(
                SpawnSession(
                    scope: scope,
                    credentials: SessionCredentials(sessionId: "spawned-\(index)", token: RandomIdentifier.token()),
                    spawnSource: .ui, taskIds: [seeded.openTaskIds[index % seeded.openTaskIds.count]]))
        }
        let exportPage = ExportPage<TaskPage>.pageSize
        add("export_tasks page \(exportPage)", "export_tasks", target: Self.pageTarget) { index in
            _ = try connection.run(ExportPage.tasks(scope: scope, offset: (index * exportPage) % tasks))
        }
        add("sweep_leases", "sweep_leases") { _ in _ = try connection.run(SweepLeases(scope: scope)) }

        var results: [CallTimes] = []
        for kind in kinds {
            var durations: [Double] = []
            for index in 0..<samples {
                _ = try connection.send(RedisCommand("SLOWLOG", "RESET"))
                try kind.call(index)
                durations += try slowLogDurations(
                    of: kind.function == "EVAL" ? "EVAL" : "maestro_" + kind.function, connection)
            }
            results.append(CallTimes(name: kind.name, durations: durations, target: kind.target))
            progress(
                "\(kind.name): \(durations.count) calls, median \(Int(durations.median)) µs, "
                    + "max \(Int(durations.max() ?? 0)) µs")
        }
        return results
    }

    /// The durations (µs) of the slow log's calls of `function` (a library function's name, or EVAL).
    private func slowLogDurations(of function: String, _ connection: RedisConnection) throws -> [Double] {
        let entries = try connection.send(RedisCommand("SLOWLOG", "GET", "64")).array ?? []
        return entries.compactMap { entry in
            guard let fields = entry.array, fields.count >= 4, let argv = fields[3].array?.compactMap(\.string),
                argv.count > 1, argv[0].hasPrefix("FCALL") ? argv[1] == function : argv[0] == function
            else { return nil }
            return fields[2].integer.map(Double.init)
        }
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
