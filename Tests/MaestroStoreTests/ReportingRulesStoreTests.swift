import MaestroDomain
import MaestroStore
import RedisClient
import Testing

/// What keeps the user in charge, and each call's work bounded: the automatic start only on newly working, a repeated
/// question keeping its answer, finished sessions silent until restarted, at most 1,000 tasks per queueing call.
@Suite("Reporting rules: the user stays in charge, bounded calls")
final class ReportingRulesStoreTests {
    let fixture: StoreFixture

    init() async throws { fixture = try await StoreFixture() }

    func update(
        _ scope: ProjectScope, _ session: SessionCredentials, _ taskId: String, _ status: SessionStatus,
        notes: String? = nil
    ) throws -> ProgressChange {
        try fixture.connection.run(
            UpdateProgress(scope: scope, session: session, taskId: taskId, status: status, notes: notes))
    }

    @Test("a repeated working leaves a task the user moved back to To Do there; a new start moves it again")
    func userMoveBackStands() throws {
        let scope = try fixture.newScope()
        let task = try fixture.createTask(scope)
        let session = try fixture.spawnSession(scope, taskIds: [task.id])
        #expect(try update(scope, session, task.id, .working).taskStatus == .inprogress)
        _ = try fixture.connection.run(UpdateTask(scope: scope, taskId: task.id, status: .todo))
        let repeated = try update(scope, session, task.id, .working)
        #expect(repeated.taskStatus == .todo && repeated.eventIds.count == 1)
        #expect(try fixture.task(scope, task.id).status == .todo)
        _ = try update(scope, session, task.id, .blocked, notes: "waiting for a key")
        #expect(try update(scope, session, task.id, .working).taskStatus == .inprogress, "newly working again")
    }

    @Test("asking the same question again keeps an unread answer; another question clears it")
    func repeatedQuestion() throws {
        let scope = try fixture.newScope()
        let task = try fixture.createTask(scope)
        let session = try fixture.spawnSession(scope, taskIds: [task.id])
        _ = try update(scope, session, task.id, .working)
        _ = try update(scope, session, task.id, .needsInput, notes: "Squash the commits?")
        _ = try fixture.connection.run(
            AnswerInput(scope: scope, taskId: task.id, sessionId: session.sessionId, answer: "yes"))
        _ = try update(scope, session, task.id, .needsInput, notes: "Squash the commits?")
        #expect(try fixture.task(scope, task.id).progress(of: session.sessionId)?.answer == "yes")
        _ = try update(scope, session, task.id, .needsInput, notes: "Rebase first?")
        #expect(try fixture.task(scope, task.id).progress(of: session.sessionId)?.answer == nil)
    }

    @Test("a stopped or failed session can neither queue nor report until it is restarted")
    func finishedSessionsAreSilent() throws {
        for finished in [SessionLifecycle.stopped, .failed] {
            let scope = try fixture.newScope()
            let task = try fixture.createTask(scope)
            let other = try fixture.createTask(scope)
            let session = try fixture.spawnSession(scope, taskIds: [task.id])
            let id = session.sessionId
            _ = try fixture.connection.run(ChangeLifecycle(scope: scope, sessionId: id, target: .active))
            _ = try fixture.connection.run(ChangeLifecycle(scope: scope, sessionId: id, target: finished))
            let events = try fixture.events(scope)
            let report = fixture.refusal(.conflict) { _ = try self.update(scope, session, task.id, .working) }
            #expect(report?.message.contains("is \(finished.rawValue)") == true && report?.current == finished.rawValue)
            let queue = fixture.refusal(.conflict) {
                _ = try self.fixture.connection.run(QueueTasks(scope: scope, session: session, taskIds: [other.id]))
            }
            #expect(queue?.message.contains("until a user restarts it") == true)
            #expect(try fixture.events(scope) == events)
            _ = try fixture.connection.run(
                ChangeLifecycle(scope: scope, sessionId: id, target: .spawning, byUser: true))
            #expect(try update(scope, session, task.id, .working).status == .working)
        }
    }

    @Test("queueing takes at most 1,000 task ids per call; more is refused and changes nothing")
    func queueBound() throws {
        let scope = try fixture.newScope()
        let task = try fixture.createTask(scope)
        let session = try fixture.spawnSession(scope)
        let events = try fixture.events(scope)
        let error = fixture.refusal(.invalidInput) {
            _ = try self.fixture.connection.run(
                QueueTasks(scope: scope, session: session, taskIds: Array(repeating: task.id, count: 1001)))
        }
        #expect(error?.message.contains("at most 1000 task ids") == true)
        #expect(try fixture.events(scope) == events)
        let queued = try fixture.connection.run(
            QueueTasks(scope: scope, session: session, taskIds: Array(repeating: task.id, count: 1000)))
        #expect(queued.tasks.count == 1)
    }

    @Test("a status-filtered page equals the filter of every task, at every offset, for one status and several")
    func filteredPages() throws {
        let scope = try fixture.newScope()
        var all: [(id: String, status: TaskStatus)] = []
        let statuses: [TaskStatus] = [.todo, .inprogress, .completed, .cancelled]
        for index in 0..<60 {
            let task = try fixture.createTask(scope, id: "t\(index)")
            let status = statuses[(index * 7) % 4]
            switch status {
            case .todo: break
            case .cancelled, .inprogress, .completed:
                _ = try fixture.connection.run(UpdateTask(scope: scope, taskId: task.id, status: status))
            }
            all.append((task.id, status))
        }
        for filter in [[TaskStatus.completed], [.todo, .cancelled], [.inprogress, .completed, .todo], statuses] {
            let expected = all.filter { filter.contains($0.status) }.map(\.id)
            for (offset, limit) in [(0, 7), (5, 10), (13, 100), (expected.count - 1, 5), (expected.count, 5)] {
                let page = try fixture.connection.run(
                    ListTasks(scope: scope, statuses: filter, offset: offset, limit: limit))
                #expect(page.total == expected.count)
                #expect(
                    page.tasks.map(\.id) == Array(expected.dropFirst(offset).prefix(limit)),
                    "\(filter) offset \(offset) limit \(limit)")
            }
        }
        let error = fixture.refusal(.invalidInput) {
            _ = try self.fixture.connection.run(ListTasks(scope: scope, limit: 1001))
        }
        #expect(error?.message.contains("at most 1000") == true)
    }
}
