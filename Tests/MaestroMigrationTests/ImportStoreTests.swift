import Foundation
import MaestroDomain
import MaestroStore
import RedisClient
import Testing

/// The import functions of the library (imports.lua) called directly: outcomes, indexes, events, refusals.
@Suite("import functions in Redis")
final class ImportStoreTests {
    let fixture: MigrationFixture
    let scope: ProjectScope

    init() async throws {
        fixture = try await MigrationFixture()
        scope = try ProjectScope(projectId: "proj_i", streamMaxLength: 0)
    }

    var redis: RedisConnection { fixture.connection }

    /// SHA-1 as the library computes it for tokens.
    func sha1(_ text: String) throws -> String {
        try redis.send(RedisCommand("EVAL", "return redis.sha1hex(ARGV[1])", "0", text)).string ?? ""
    }

    func task(
        _ id: String, status: TaskStatus = .todo, parent: String? = nil, sessions: [String] = [],
        updated: String = "2024-01-01T00:00:00.000Z", title: String = "Task", version: Int = 1, archived: Bool = false
    ) -> TaskRecord {
        var record = TaskRecord(
            id: id, projectId: "proj_i", title: title, status: status, sessionIds: sessions,
            sessionProgress: sessions.map { SessionProgress(sessionId: $0, status: .queued, lastUpdated: updated) },
            parentId: parent, createdAt: "2023-01-01T00:00:00.000Z", updatedAt: updated, version: version)
        record.archived = archived
        return record
    }

    func members(_ key: String) throws -> [String] {
        let reply = try redis.send(RedisCommand("SMEMBERS", scope.keyPrefix + key))
        return (reply.array ?? []).compactMap(\.string).sorted()
    }

    func zset(_ key: String) throws -> [String] {
        (try redis.send(RedisCommand("ZRANGE", scope.keyPrefix + key, "0", "-1")).array ?? []).compactMap(\.string)
    }

    func list(_ key: String) throws -> [String] {
        (try redis.send(RedisCommand("LRANGE", scope.keyPrefix + key, "0", "-1")).array ?? []).compactMap(\.string)
    }

    /// The task's links field: its sessions and their statuses, in join order.
    func links(_ taskId: String) throws -> String? {
        try redis.send(RedisCommand("HGET", scope.keyPrefix + "task:" + taskId, "links")).string
    }

    @Test("created, unchanged, updated (older in Redis), skipped newer or conflicting, force")
    func outcomes() throws {
        #expect(try redis.run(ImportTask(scope: scope, task: task("t1"))).outcome == .created)
        #expect(try redis.run(ImportTask(scope: scope, task: task("t1"))).outcome == .unchanged)
        let newer = task("t1", updated: "2024-02-01T00:00:00.000Z", title: "Newer", version: 1)
        let updated = try redis.run(ImportTask(scope: scope, task: newer))
        #expect(updated.outcome == .updated && updated.version == 2, "never lower than the stored version plus one")
        let older = try redis.run(ImportTask(scope: scope, task: task("t1", title: "Older")))
        #expect(older.outcome == .skipped && older.reason == "newer" && older.current == "2024-02-01T00:00:00.000Z")
        let conflict = try redis.run(
            ImportTask(scope: scope, task: task("t1", updated: "2024-02-01T00:00:00.000Z", title: "Same time")))
        #expect(conflict.outcome == .skipped && conflict.reason == "conflict")
        let forced = try redis.run(
            ImportTask(scope: scope, task: task("t1", title: "Forced", version: 9), policy: .force))
        #expect(forced.outcome == .updated && forced.version == 9)
        #expect(try fixture.task("proj_i", "t1").title == "Forced")
        let dry = try redis.run(ImportTask(scope: scope, task: task("t2"), dryRun: true))
        #expect(dry.outcome == .created && dry.eventIds.isEmpty)
        #expect(throws: MaestroError.self) { try self.fixture.task("proj_i", "t2") }
    }

    /// The project's tasks in creation order, as every list reads them.
    func creationOrder() throws -> [String] {
        try redis.run(ListTasks(scope: scope, limit: 1000)).tasks.map(\.id)
    }

    @Test("every index follows: status sets, creation order, subtasks, both link lists")
    func indexes() throws {
        _ = try redis.run(ImportTask(scope: scope, task: task("p1")))
        _ = try redis.run(ImportTask(scope: scope, task: task("p2")))
        _ = try redis.run(ImportTask(scope: scope, task: task("c", parent: "p1", sessions: ["s1", "s2"])))
        #expect(try creationOrder() == ["p1", "p2", "c"] && zset("tasks/todo") == ["p1", "p2", "c"])
        #expect(try members("task:p1/children") == ["c"])
        #expect(try links("c") == "s1=queued,s2=queued" && list("session:s1/tasks") == ["c"])
        let moved = task("c", status: .completed, parent: "p2", sessions: ["s2"], updated: "2024-03-01T00:00:00.000Z")
        #expect(try redis.run(ImportTask(scope: scope, task: moved)).outcome == .updated)
        #expect(try zset("tasks/todo") == ["p1", "p2"] && zset("tasks/completed") == ["c"])
        #expect(try creationOrder() == ["p1", "p2", "c"], "an update keeps the creation order")
        #expect(try members("task:p1/children").isEmpty && members("task:p2/children") == ["c"])
        #expect(try list("session:s1/tasks").isEmpty && list("session:s2/tasks") == ["c"] && links("c") == "s2=queued")
        #expect(try redis.send(RedisCommand("EXISTS", scope.keyPrefix + "task:c/progress/s1")).integer == 0)
        // Unlinking, deleting and the other existing functions see a consistent task.
        _ = try redis.run(RemoveSessionFromTask(scope: scope, taskId: "c", sessionId: "s2"))
        _ = try redis.run(DeleteTask(scope: scope, taskId: "c"))
        #expect(try members("task:p2/children").isEmpty && zset("tasks/completed").isEmpty)
    }

    @Test("sessions: links confirmed by tasks in the session's order, token hash kept, lists in sync")
    func sessions() throws {
        _ = try redis.run(ImportTask(scope: scope, task: task("t1", sessions: ["s1"])))
        _ = try redis.run(ImportTask(scope: scope, task: task("t2", sessions: ["s1"])))
        _ = try redis.run(ImportTask(scope: scope, task: task("t3")))
        let token = RandomIdentifier.token()
        let session = SessionRecord(
            id: "s1", name: "One", status: .stopped, legacyStatus: "running", taskIds: ["t2", "t3", "t9", "t1"],
            projectId: "proj_i", spawnSource: .ui, createdAt: "2023-01-01T00:00:00.000Z",
            updatedAt: "2023-01-01T00:00:00.000Z", extra: ["env": .object([:])])
        let outcome = try redis.run(ImportSession(scope: scope, session: session, tokenHash: try sha1(token)))
        #expect(outcome.outcome == .created)
        let stored = try fixture.session("proj_i", "s1")
        #expect(stored.taskIds == ["t2", "t9", "t1"], "t3 does not list s1; t9 is not imported yet")
        #expect(stored.legacyStatus == "running" && stored.extra == ["env": .object([:])])
        _ = try redis.run(CheckSession(scope: scope, credentials: SessionCredentials(sessionId: "s1", token: token)))
        #expect(
            try redis.run(ImportSession(scope: scope, session: session, tokenHash: try sha1(token))).outcome
                == .unchanged)
    }

    @Test("events: task:created, task:updated, session:spawn; none for unchanged, skipped or dry runs")
    func events() throws {
        _ = try redis.run(ImportTask(scope: scope, task: task("t1")))
        _ = try redis.run(ImportTask(scope: scope, task: task("t1")))
        _ = try redis.run(ImportTask(scope: scope, task: task("t1", updated: "2025-01-01T00:00:00.000Z")))
        _ = try redis.run(ImportTask(scope: scope, task: task("t1")))
        _ = try redis.run(ImportTask(scope: scope, task: task("t2"), dryRun: true))
        let session = SessionRecord(
            id: "s1", status: .stopped, projectId: "proj_i", spawnSource: .ui,
            createdAt: "2023-01-01T00:00:00.000Z", updatedAt: "2023-01-01T00:00:00.000Z")
        _ = try redis.run(ImportSession(scope: scope, session: session))
        _ = try redis.run(ImportSession(scope: scope, session: session))
        let types = try redis.events(in: scope).map(\.type)
        #expect(types == [.taskCreated, .taskUpdated, .sessionSpawn])
    }

    @Test("an archived record goes to the archive at once; one archived here is compared and replaced, never doubled")
    func archivedTasks() throws {
        let done = task("t1", status: .completed, sessions: ["s1"], archived: true)
        let created = try redis.run(ImportTask(scope: scope, task: done))
        #expect(created.outcome == .created && created.eventIds.count == 2)
        #expect(try redis.events(in: scope).map(\.type) == [.taskCreated, .taskArchived])
        #expect(try fixture.task("proj_i", "t1") == done, "read whole from the archive")
        #expect(try zset("archive") == ["t1"] && creationOrder().isEmpty)
        #expect(try redis.send(RedisCommand("EXISTS", scope.keyPrefix + "task:t1")).integer == 0)

        let before = try fixture.dump()
        for record in [done, task("t1", status: .completed, sessions: ["s1"])] {
            #expect(try redis.run(ImportTask(scope: scope, task: record)).outcome == .unchanged)
        }
        var changedEntry = done
        changedEntry.sessionProgress[0].notes = "Changed"
        #expect(try redis.run(ImportTask(scope: scope, task: changedEntry)).outcome == .skipped, "same updatedAt")
        #expect(try fixture.dump() == before, "the archived task was compared as it is")

        let newer = task("t1", status: .completed, sessions: ["s1"], updated: "2024-06-01T00:00:00.000Z", title: "Live")
        let updated = try redis.run(ImportTask(scope: scope, task: newer))
        #expect(updated.outcome == .updated && updated.version == 2)
        let live = try fixture.task("proj_i", "t1")
        #expect(live.archived == false && live.title == "Live" && live.sessionIds == ["s1"])
        #expect(try zset("archive").isEmpty && creationOrder() == ["t1"] && zset("tasks/completed") == ["t1"])
        #expect(try redis.send(RedisCommand("EXISTS", scope.keyPrefix + "archived:t1")).integer == 0)

        // An archived parent and its archived subtask (an export lists parents first), then the subtask restored.
        _ = try redis.run(ImportTask(scope: scope, task: task("p", status: .cancelled, archived: true)))
        _ = try redis.run(ImportTask(scope: scope, task: task("c", status: .completed, parent: "p", archived: true)))
        #expect(try zset("archive") == ["p", "c"] && members("task:p/children").isEmpty)
        _ = try redis.run(RestoreTask(scope: scope, taskId: "c"))
        #expect(try fixture.task("proj_i", "p").archived == false && members("task:p/children") == ["c"])

        // A record to archive whose task has a live subtask here stays live; the sweep takes it later.
        _ = try redis.run(ImportTask(scope: scope, task: task("q", status: .completed)))
        _ = try redis.run(ImportTask(scope: scope, task: task("q_child", parent: "q")))
        let held = try redis.run(
            ImportTask(
                scope: scope,
                task: task(
                    "q", status: .completed, updated: "2025-01-01T00:00:00.000Z",
                    archived: true)))
        #expect(held.outcome == .updated && held.eventIds.count == 1)
        #expect(try fixture.task("proj_i", "q").archived == false)
    }

    @Test("refusals change nothing: bad times, extra data, repeated sessions, cycles, missing parents")
    func refusals() throws {
        _ = try redis.run(ImportTask(scope: scope, task: task("a")))
        _ = try redis.run(ImportTask(scope: scope, task: task("b", parent: "a")))
        var badTime = task("x")
        badTime.updatedAt = "2024-01-01 00:00:00"
        var badExtra = task("x")
        badExtra.extra = ["k": .string(String(repeating: "x", count: Limits.extraBytes))]
        var repeated = task("x", sessions: ["s1"])
        repeated.sessionProgress.append(repeated.sessionProgress[0])
        let cycle = task("a", parent: "b", updated: "2025-01-01T00:00:00.000Z")
        let orphan = task("x", parent: "nowhere")
        _ = try redis.run(ImportTask(scope: scope, task: task("gone", status: .completed, archived: true)))
        let archivedTodo = task("x", archived: true)
        let underArchived = task("x", parent: "gone")
        let before = try fixture.dump()
        for (name, record) in [
            ("time", badTime), ("extra", badExtra), ("repeat", repeated), ("cycle", cycle),
            ("orphan", orphan), ("archived todo", archivedTodo), ("live under archived", underArchived),
        ] {
            #expect(throws: MaestroError.self, "\(name)") {
                try self.redis.run(ImportTask(scope: self.scope, task: record))
            }
        }
        var raw = ImportArgumentsProbe(scope: scope)
        raw.extra = "[1,2]"
        #expect(throws: MaestroError.self) { try self.redis.run(raw) }
        #expect(try fixture.dump() == before)
    }
}

/// An import_task call with a hand-made extra argument, to check the library's own validation.
struct ImportArgumentsProbe: StoreOperation {
    var scope: ProjectScope
    var extra = ""
    var function: String { "import_task" }
    var arguments: [String] {
        [
            "newer", "0", "x", "Title", "", "todo", "medium", "", "2024-01-01T00:00:00.000Z",
            "2024-01-01T00:00:00.000Z", "1", extra, "0",
        ]
    }
    func decode(_ reply: RedisReply) throws -> String { reply.string ?? "" }
}
