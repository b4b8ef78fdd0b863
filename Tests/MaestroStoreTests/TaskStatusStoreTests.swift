import MaestroDomain
import MaestroStore
import Testing

@Suite("Task status through the store: every (from, to) pair")
struct TaskStatusStoreTests {
    /// A path from todo to each status, by allowed user changes.
    static let pathFromTodo: [TaskStatus: [TaskStatus]] = [
        .todo: [], .inprogress: [.inprogress], .completed: [.completed], .cancelled: [.cancelled],
    ]

    @Test("allowed pairs change the task and emit one task:updated; others change nothing and emit nothing")
    func everyPair() async throws {
        let fixture = try await StoreFixture()
        for from in TaskStatus.allCases {
            for to in TaskStatus.allCases {
                let scope = try fixture.newScope()
                let task = try fixture.createTask(scope)
                for step in Self.pathFromTodo[from]! {
                    _ = try fixture.connection.run(UpdateTask(scope: scope, taskId: task.id, status: step))
                }
                let before = try fixture.task(scope, task.id)
                let eventsBefore = try fixture.events(scope)
                #expect(before.status == from)

                switch TaskStatusTransition.decide(from: from, to: to) {
                case .apply:
                    let change = try fixture.connection.run(UpdateTask(scope: scope, taskId: task.id, status: to))
                    let after = try fixture.task(scope, task.id)
                    #expect(after.status == to && change.task == after, "\(from) → \(to)")
                    #expect(after.version == before.version + 1)
                    let new = try fixture.events(scope).dropFirst(eventsBefore.count)
                    #expect(new.count == 1 && new.first?.type == .taskUpdated, "\(from) → \(to)")
                    let body = new.first.map(payload)?["task"] as? [String: Any]
                    #expect(body?["status"] as? String == to.rawValue && body?["version"] as? Int == after.version)
                    let listed = try fixture.connection.run(ListTasks(scope: scope, statuses: [to]))
                    #expect(listed.tasks.map(\.id) == [task.id], "the status index follows the change")
                case .unchanged:
                    let change = try fixture.connection.run(UpdateTask(scope: scope, taskId: task.id, status: to))
                    #expect(change.eventIds.isEmpty && change.task == before, "\(from) → \(to) is a no-op")
                    #expect(try fixture.events(scope) == eventsBefore)
                case .refused(let allowed):
                    let error = fixture.refusal(.invalidTransition) {
                        _ = try fixture.connection.run(UpdateTask(scope: scope, taskId: task.id, status: to))
                    }
                    #expect(error?.current == from.rawValue, "\(from) → \(to) refused naming the current state")
                    #expect(error?.allowed == allowed.map(\.rawValue), "\(from) → \(to) names the allowed targets")
                    #expect(try fixture.task(scope, task.id) == before)
                    #expect(try fixture.events(scope) == eventsBefore)
                case .repeatCurrent:
                    Issue.record("a task status has no repeat")
                }
            }
        }
    }

    @Test("a refused status change in a multi-field update changes none of the fields")
    func refusedUpdateChangesNothing() async throws {
        let fixture = try await StoreFixture()
        let scope = try fixture.newScope()
        let task = try fixture.createTask(scope)
        _ = try fixture.connection.run(UpdateTask(scope: scope, taskId: task.id, status: .completed))
        let before = try fixture.task(scope, task.id)
        let error = fixture.refusal(.invalidTransition) {
            _ = try fixture.connection.run(
                UpdateTask(scope: scope, taskId: task.id, title: "New", priority: .urgent, status: .cancelled))
        }
        #expect(error != nil)
        #expect(try fixture.task(scope, task.id) == before)
    }
}
