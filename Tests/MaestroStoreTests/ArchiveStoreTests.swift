import Foundation
import MaestroDomain
import MaestroStore
import RedisClient
import Testing

/// The archive: finished tasks past the project's archiveAfterDays leave the lists in bounded sweep steps, cost less,
/// stay readable and listable, and come back as they were.
@Suite("The archive and project settings")
final class ArchiveStoreTests {
    let fixture: StoreFixture

    init() async throws { fixture = try await StoreFixture() }

    /// Makes a task look untouched since `days` ago (the sweep compares updatedAt with the project's setting).
    func age(_ scope: ProjectScope, _ taskId: String, days: Int) throws {
        let old = Date().addingTimeInterval(-Double(days) * 86400).formatted(.iso8601.year().month().day().time(
            includingFractionalSeconds: true))
        _ = try fixture.connection.send(RedisCommand("HSET", scope.keyPrefix + "task:" + taskId, "updatedAt", old))
    }

    func sweep(_ scope: ProjectScope, batch: Int = 500) throws -> [String] {
        var archived: [String] = []
        while true {
            let step = try fixture.connection.run(ArchiveSweep(scope: scope, batch: batch))
            archived += step.archived
            if step.passDone { return archived }
        }
    }

    func memory(_ keys: [String]) throws -> Int64 {
        try keys.reduce(Int64(0)) {
            $0 + (try fixture.connection.send(RedisCommand("MEMORY", "USAGE", $1, "SAMPLES", "0")).integer ?? 0)
        }
    }

    @Test("only completed and cancelled tasks untouched for archiveAfterDays go, in bounded steps; lists skip them")
    func sweepChoosesFinishedOldTasks() throws {
        let scope = try fixture.newScope()
        var ids: [String] = []
        for (index, status) in [TaskStatus.todo, .inprogress, .completed, .cancelled, .completed].enumerated() {
            let id = "t\(index)"
            try fixture.createTask(scope, id: id)
            if status != .todo { _ = try fixture.connection.run(UpdateTask(scope: scope, taskId: id, status: status)) }
            try age(scope, id, days: 15)
            ids.append(id)
        }
        try fixture.createTask(scope, id: "recent")
        _ = try fixture.connection.run(UpdateTask(scope: scope, taskId: "recent", status: .completed))
        let events = try fixture.events(scope).count
        #expect(try sweep(scope, batch: 1).sorted() == ["t2", "t3", "t4"], "the default is 14 days")
        #expect(try fixture.events(scope).dropFirst(events).map(\.type) == [.taskArchived, .taskArchived, .taskArchived])
        #expect(try fixture.connection.run(ListTasks(scope: scope)).tasks.map(\.id) == ["t0", "t1", "recent"])
        let overview = try fixture.connection.run(GetProjectOverview(scope: scope))
        #expect(overview.counts["archived"] == 3 && overview.counts["completed"] == 1 && overview.counts["todo"] == 1)
        #expect(try sweep(scope).isEmpty, "a second pass finds nothing more")
    }

    @Test("an archived task reads whole, lists as a summary, refuses changes, and is restored exactly, once")
    func readAndRestore() throws {
        let scope = try fixture.newScope()
        let task = try fixture.createTask(scope, id: "done")
        let session = try fixture.spawnSession(scope, taskIds: [task.id])
        _ = try fixture.connection.run(UpdateProgress(scope: scope, session: session, taskId: task.id, status: .working))
        _ = try fixture.connection.run(
            UpdateProgress(scope: scope, session: session, taskId: task.id, status: .completed, notes: "shipped"))
        _ = try fixture.connection.run(UpdateTask(scope: scope, taskId: task.id, status: .completed))
        try age(scope, task.id, days: 30)
        let live = try fixture.task(scope, task.id)
        let prefix = scope.keyPrefix + "task:" + task.id
        let liveBytes = try memory([
            prefix, prefix + "/progress/" + session.sessionId, prefix + "/history",
        ])
        let history = try fixture.connection.run(GetTaskHistory(scope: scope, taskId: task.id))
        #expect(try sweep(scope) == [task.id])
        let archivedBytes = try memory([scope.keyPrefix + "archived:" + task.id])
        #expect(archivedBytes < liveBytes, "archived: \(archivedBytes) B, live: \(liveBytes) B")

        var read = try fixture.task(scope, task.id)
        #expect(read.archived && read.sessionProgress == live.sessionProgress && read.title == live.title)
        read.archived = false
        #expect(read == live)
        let page = try fixture.connection.run(ListTaskSummaries(scope: scope, archived: true))
        let summaries = try JSONSerialization.jsonObject(with: Data(page)) as? [String: Any]
        let first = (summaries?["tasks"] as? [[String: Any]])?.first
        #expect(first?["id"] as? String == task.id && first?["archived"] as? Bool == true)
        let refused = fixture.refusal(.notFound) {
            _ = try self.fixture.connection.run(UpdateTask(scope: scope, taskId: task.id, title: "Again"))
        }
        #expect(refused?.message.contains("is archived; restore it first") == true)

        let restored = try fixture.connection.run(RestoreTask(scope: scope, taskId: task.id, idempotencyKey: "r1"))
        #expect(!restored.task.archived && restored.task.version == live.version + 1)
        #expect(restored.task.sessionProgress == live.sessionProgress && restored.task.status == .completed)
        #expect(try fixture.connection.run(RestoreTask(scope: scope, taskId: task.id, idempotencyKey: "r1")) == restored)
        #expect(fixture.refusal(.conflict) {
            _ = try self.fixture.connection.run(RestoreTask(scope: scope, taskId: task.id))
        } != nil, "a live task is not archived")
        let after = try fixture.connection.run(GetTaskHistory(scope: scope, taskId: task.id))
        #expect(Array(after.history.dropFirst()) == history.history, "the history came back, plus the restore")
        #expect(try sweep(scope).isEmpty, "a restored task counts as changed now")
        #expect(try fixture.connection.run(ListTasks(scope: scope)).tasks.map(\.id) == [task.id])
    }

    @Test("parents wait for their subtasks; restoring a subtask brings its archived parent back first; delete works")
    func parentsAndDeletion() throws {
        let scope = try fixture.newScope()
        try fixture.createTask(scope, id: "parent")
        _ = try fixture.connection.run(CreateTask(scope: scope, taskId: "child", title: "Child", parentId: "parent"))
        _ = try fixture.connection.run(UpdateTask(scope: scope, taskId: "parent", status: .completed))
        try age(scope, "parent", days: 20)
        #expect(try sweep(scope).isEmpty, "a parent with a live subtask stays")
        _ = try fixture.connection.run(UpdateTask(scope: scope, taskId: "child", status: .cancelled))
        try age(scope, "child", days: 20)
        #expect(try sweep(scope) == ["child"])
        #expect(try sweep(scope) == ["parent"])
        _ = try fixture.connection.run(RestoreTask(scope: scope, taskId: "child"))
        #expect(try fixture.task(scope, "parent").archived == false, "the parent came back first")
        #expect(fixture.refusal(.conflict) {
            _ = try self.fixture.connection.run(DeleteTask(scope: scope, taskId: "parent"))
        } != nil, "and knows its subtask again")
        _ = try fixture.connection.run(UpdateTask(scope: scope, taskId: "child", title: "Renamed"))
        try age(scope, "child", days: 20)
        #expect(try sweep(scope) == ["child"])
        _ = try fixture.connection.run(DeleteTask(scope: scope, taskId: "child"))
        #expect(fixture.refusal(.notFound) { _ = try self.fixture.task(scope, "child") } != nil)
        #expect(try fixture.connection.run(ListTaskSummaries(scope: scope, archived: true)).count > 0)
    }

    @Test("project settings: validated, defaulted, one project:updated per change")
    func projectSettings() throws {
        let scope = try fixture.newScope()
        let initial = try fixture.connection.run(GetProjectOverview(scope: scope)).project
        #expect(initial.staleAfterSeconds == 1800 && initial.archiveAfterDays == 14 && initial.createdAt == nil)
        for (stale, archive) in [(59, 14), (604_801, 14), (1800, 0), (1800, 3651)] {
            #expect(
                fixture.refusal(.invalidInput) {
                    _ = try self.fixture.connection.run(
                        UpdateProject(scope: scope, staleAfterSeconds: stale, archiveAfterDays: archive))
                } != nil, "\(stale) s, \(archive) days")
        }
        #expect(try fixture.events(scope).isEmpty)
        let change = try fixture.connection.run(
            UpdateProject(scope: scope, name: "Payments", staleAfterSeconds: 60, archiveAfterDays: 1))
        #expect(change.project.name == "Payments" && change.project.staleAfterSeconds == 60)
        #expect(change.project.createdAt != nil && change.eventIds.count == 1)
        #expect(try fixture.events(scope).map(\.type) == [.projectUpdated])
        let same = try fixture.connection.run(UpdateProject(scope: scope, name: "Payments"))
        #expect(same.eventIds.isEmpty)
        // archiveAfterDays 1: a task finished two days ago goes.
        try fixture.createTask(scope, id: "old")
        _ = try fixture.connection.run(UpdateTask(scope: scope, taskId: "old", status: .completed))
        try age(scope, "old", days: 2)
        #expect(try sweep(scope) == ["old"])
    }
}
