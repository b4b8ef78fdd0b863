import Foundation
import MaestroDomain
import MaestroStore
import RedisClient
import Testing

/// Answers to needs_input questions, and the per-task history every change writes.
@Suite("Answers and task history in the store")
final class AnswerAndHistoryStoreTests {
    let fixture: StoreFixture

    init() async throws { fixture = try await StoreFixture() }

    func update(
        _ scope: ProjectScope, _ session: SessionCredentials, _ taskId: String, _ status: SessionStatus,
        notes: String? = nil
    ) throws {
        _ = try fixture.connection.run(
            UpdateProgress(scope: scope, session: session, taskId: taskId, status: status, notes: notes))
    }

    func answer(_ scope: ProjectScope, _ taskId: String, _ sessionId: String, _ text: String) throws -> InputAnswer {
        try fixture.connection.run(AnswerInput(scope: scope, taskId: taskId, sessionId: sessionId, answer: text))
    }

    @Test("an answer is stored on the needs_input entry, bumps the version, emits task:input_answer, keeps the status")
    func answerStored() throws {
        let scope = try fixture.newScope()
        let task = try fixture.createTask(scope)
        let session = try fixture.spawnSession(scope, taskIds: [task.id])
        try update(scope, session, task.id, .working)
        try update(scope, session, task.id, .needsInput, notes: "Which database?")
        let before = try fixture.task(scope, task.id)

        let answered = try answer(scope, task.id, session.sessionId, "Postgres 16\nwith the test schema")
        #expect(answered.answer == "Postgres 16\nwith the test schema" && answered.version == before.version + 1)
        let after = try fixture.task(scope, task.id)
        let entry = try #require(after.sessionProgress.first)
        #expect(entry.status == .needsInput && entry.notes == "Which database?")
        #expect(entry.answer == answered.answer && entry.answeredAt == answered.answeredAt)
        #expect(entry.lastUpdated == before.sessionProgress.first?.lastUpdated)
        let event = try #require(fixture.events(scope).last)
        #expect(event.type == .taskInputAnswer)
        #expect(payload(event)["answer"] as? String == answered.answer)
        #expect(payload(event)["sessionId"] as? String == session.sessionId)

        try update(scope, session, task.id, .working)
        #expect(try fixture.task(scope, task.id).sessionProgress.first?.answer == answered.answer)
        try update(scope, session, task.id, .needsInput, notes: "And the port?")
        #expect(try fixture.task(scope, task.id).sessionProgress.first?.answer == nil, "a new question clears it")
    }

    @Test("answering is refused unless the session asked (needs_input), for unknown links, and when empty")
    func answerRefused() throws {
        let scope = try fixture.newScope()
        let task = try fixture.createTask(scope)
        let session = try fixture.spawnSession(scope, taskIds: [task.id])
        let length = try fixture.events(scope).count
        for status in [SessionStatus.queued, .working, .blocked] {
            if status != .queued { try update(scope, session, task.id, status) }
            let refused = fixture.refusal(.invalidTransition) { _ = try answer(scope, task.id, session.sessionId, "x") }
            #expect(refused?.current == status.rawValue)
        }
        #expect(fixture.refusal(.notFound) { _ = try answer(scope, task.id, "sess_other", "x") } != nil)
        try update(scope, session, task.id, .working)
        try update(scope, session, task.id, .needsInput, notes: "?")
        #expect(fixture.refusal(.invalidInput) { _ = try answer(scope, task.id, session.sessionId, "") } != nil)
        let huge = String(repeating: "a", count: Limits.descriptionBytes + 1)
        #expect(fixture.refusal(.invalidInput) { _ = try answer(scope, task.id, session.sessionId, huge) } != nil)
        // working (plus the task starting), blocked, working, needs_input; no refused answer left an event
        #expect(try fixture.events(scope).count == length + 5)
    }

    @Test("history: who changed what, newest first, for every kind of change; capped at 100; gone with the task")
    func history() throws {
        let scope = try fixture.newScope()
        let task = try fixture.createTask(scope)
        let session = try fixture.spawnSession(scope, taskIds: [task.id])
        try update(scope, session, task.id, .working)
        try update(scope, session, task.id, .needsInput, notes: "Which?")
        _ = try answer(scope, task.id, session.sessionId, "This one")
        _ = try fixture.connection.run(
            UpdateTask(scope: scope, taskId: task.id, title: "Renamed", status: .completed))
        _ = try fixture.connection.run(
            RemoveSessionFromTask(scope: scope, taskId: task.id, sessionId: session.sessionId))

        let history = try fixture.connection.run(GetTaskHistory(scope: scope, taskId: task.id)).history
        let summary = history.reversed().map {
            [$0.actor, $0.action, $0.from ?? "", $0.to ?? ""].joined(separator: " ")
        }
        let sessionActor = "session:" + session.sessionId
        #expect(
            summary == [
                "user created  ", "user queued  ", "\(sessionActor) progress queued working",
                "system status todo inprogress", "\(sessionActor) progress working needs_input", "user answer  ",
                "user updated  ", "user status inprogress completed", "user removed  ",
            ])
        #expect(history.first { $0.action == "updated" }?.fields == ["title"])
        #expect(history.first { $0.action == "progress" && $0.to == "needs_input" }?.notes == "Which?")

        for index in 0..<120 {
            _ = try fixture.connection.run(UpdateTask(scope: scope, taskId: task.id, title: "Title \(index)"))
        }
        let capped = try fixture.connection.run(GetTaskHistory(scope: scope, taskId: task.id)).history
        #expect(capped.count == 100 && capped.first?.action == "updated")

        _ = try fixture.connection.run(DeleteTask(scope: scope, taskId: task.id))
        let gone = fixture.refusal(.notFound) {
            _ = try fixture.connection.run(GetTaskHistory(scope: scope, taskId: task.id))
        }
        #expect(gone != nil)
        let left = try fixture.connection.send(RedisCommand("EXISTS", scope.keyPrefix + "task:\(task.id)/history"))
        #expect(left.integer == 0)
    }
}
