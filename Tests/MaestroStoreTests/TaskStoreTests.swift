import MaestroDomain
import MaestroStore
import RedisClient
import Testing

@Suite("Tasks: create, update, delete, list, and bad input")
struct TaskStoreTests {
    @Test("create emits task:created with the full task; list pages in creation order with a cursor")
    func createAndList() async throws {
        let fixture = try await StoreFixture()
        let scope = try fixture.newScope()
        let parent = try fixture.connection.run(
            CreateTask(scope: scope, taskId: "t1", title: "Parent ✓", description: "line\nline", priority: .urgent)
        ).task
        #expect(parent.status == .todo && parent.version == 1 && parent.priority == .urgent)
        #expect(parent.description == "line\nline" && parent.createdAt == parent.updatedAt)
        let child = try fixture.connection.run(CreateTask(scope: scope, taskId: "t2", title: "Child", parentId: "t1"))
            .task
        #expect(child.parentId == "t1")
        let events = try fixture.events(scope)
        #expect(events.map(\.type) == [.taskCreated, .taskCreated])
        #expect((payload(events[0])["task"] as? [String: Any])?["title"] as? String == "Parent ✓")

        let page = try fixture.connection.run(ListTasks(scope: scope, offset: 1, limit: 1))
        #expect(page.tasks.map(\.id) == ["t2"] && page.total == 2 && page.cursor == events.last?.id)
        let todo = try fixture.connection.run(ListTasks(scope: scope, statuses: [.todo, .completed]))
        #expect(todo.tasks.map(\.id) == ["t1", "t2"])
    }

    @Test("update changes fields in one event; the same values again are a no-op")
    func updateFields() async throws {
        let fixture = try await StoreFixture()
        let scope = try fixture.newScope()
        let task = try fixture.createTask(scope)
        let change = try fixture.connection.run(
            UpdateTask(scope: scope, taskId: task.id, title: "Renamed", description: "d", priority: .low))
        #expect(change.task.title == "Renamed" && change.task.description == "d" && change.task.version == 2)
        #expect(change.eventIds.count == 1)
        let same = try fixture.connection.run(
            UpdateTask(scope: scope, taskId: task.id, title: "Renamed", priority: .low))
        #expect(same.eventIds.isEmpty && same.task.version == 2)
        let cleared = try fixture.connection.run(UpdateTask(scope: scope, taskId: task.id, description: ""))
        #expect(cleared.task.description == nil && cleared.task.version == 3)
    }

    @Test("delete removes the task, its progress and its links; refused while it has subtasks")
    func delete() async throws {
        let fixture = try await StoreFixture()
        let scope = try fixture.newScope()
        let parent = try fixture.createTask(scope)
        let child = try fixture.connection.run(
            CreateTask(scope: scope, taskId: "child", title: "Child", parentId: parent.id)
        ).task
        let session = try fixture.spawnSession(scope, taskIds: [parent.id, child.id])
        #expect(
            fixture.refusal(.conflict) {
                _ = try fixture.connection.run(DeleteTask(scope: scope, taskId: parent.id))
            } != nil)
        _ = try fixture.connection.run(DeleteTask(scope: scope, taskId: child.id))
        #expect(try fixture.session(scope, session.sessionId).taskIds == [parent.id])
        _ = try fixture.connection.run(DeleteTask(scope: scope, taskId: parent.id))
        #expect(try fixture.session(scope, session.sessionId).taskIds.isEmpty)
        #expect(fixture.refusal(.notFound) { _ = try fixture.task(scope, parent.id) } != nil)
        #expect(try fixture.events(scope).last.map(payload)?["taskId"] as? String == parent.id)
        let keys = try fixture.connection.keysEverywhere(scope.keyPrefix + "task*")
        #expect(keys.isEmpty, "no task keys left: \(keys)")
    }

    @Test("bad input is refused with a clear error and changes nothing")
    func badInput() async throws {
        let fixture = try await StoreFixture()
        let scope = try fixture.newScope()
        let task = try fixture.createTask(scope)
        let session = try fixture.spawnSession(scope, taskIds: [task.id])
        let eventsBefore = try fixture.events(scope)
        let before = try fixture.task(scope, task.id)
        let badIds = ["", "a{b}", "a b", "a\nb", "a/b", String(repeating: "x", count: 129)]
        for id in badIds {
            #expect(
                fixture.refusal(.invalidInput) {
                    _ = try fixture.connection.run(CreateTask(scope: scope, taskId: id, title: "x"))
                } != nil, "task id \(id.debugDescription)")
            #expect(
                fixture.refusal(.invalidInput) {
                    _ = try fixture.connection.run(
                        UpdateProgress(scope: scope, session: session, taskId: id, status: .working))
                } != nil)
        }
        let badNotes = [String(repeating: "n", count: 4097), "bell\u{7}"]
        for notes in badNotes {
            #expect(
                fixture.refusal(.invalidInput) {
                    _ = try fixture.connection.run(
                        UpdateProgress(scope: scope, session: session, taskId: task.id, status: .working, notes: notes))
                } != nil)
        }
        for title in ["", String(repeating: "t", count: 501), "two\nlines"] {
            #expect(
                fixture.refusal(.invalidInput) {
                    _ = try fixture.connection.run(CreateTask(scope: scope, taskId: "fresh", title: title))
                } != nil)
        }
        #expect(
            fixture.refusal(.notFound) {
                _ = try fixture.connection.run(
                    UpdateProgress(scope: scope, session: session, taskId: "missing", status: .working))
            } != nil)
        #expect(
            fixture.refusal(.notFound) {
                _ = try fixture.connection.run(
                    CreateTask(scope: scope, taskId: "orphan", title: "x", parentId: "missing"))
            } != nil)
        #expect(
            fixture.refusal(.conflict) {
                _ = try fixture.connection.run(CreateTask(scope: scope, taskId: task.id, title: "again"))
            } != nil)
        #expect(try fixture.task(scope, task.id) == before)
        #expect(try fixture.events(scope) == eventsBefore)
    }

    @Test("invalid UTF-8 sent as raw bytes is refused by the functions themselves")
    func invalidUTF8() async throws {
        let fixture = try await StoreFixture()
        let scope = try fixture.newScope()
        let task = try fixture.createTask(scope)
        let session = try fixture.spawnSession(scope, taskIds: [task.id])
        var command = UpdateProgress(scope: scope, session: session, taskId: task.id, status: .working).command
        command.arguments[command.arguments.count - 1] = [0x6F, 0x6B, 0xFF, 0xFE]
        let reply = try fixture.connection.pipeline([command])[0]
        guard case .error(let message) = reply else {
            Issue.record("expected a refusal, got \(reply)")
            return
        }
        #expect(message.hasPrefix("INVALID_INPUT") && message.contains("UTF-8"))
        #expect(try fixture.task(scope, task.id).progress(of: session.sessionId)?.status == .queued)
    }
}
