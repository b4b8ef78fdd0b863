import MaestroDomain
import MaestroStore
import Testing

@Suite("Session progress through the store: every (from, to) pair")
struct ProgressStoreTests {
    /// Reports that bring a fresh queued entry to each status.
    static let pathFromQueued: [SessionStatus: [SessionStatus]] = [
        .queued: [], .working: [.working], .blocked: [.working, .blocked], .needsInput: [.working, .needsInput],
        .failed: [.working, .failed], .completed: [.working, .completed], .cancelled: [.cancelled],
    ]

    @Test("allowed pairs write the entry and emit task:session_status; others change nothing")
    func everyPair() async throws {
        let fixture = try await StoreFixture()
        for from in [nil] + SessionStatus.allCases.map(Optional.some) {
            for to in SessionStatus.allCases {
                let scope = try fixture.newScope()
                let task = try fixture.createTask(scope)
                let session = try fixture.spawnSession(scope)
                if let from {
                    _ = try fixture.connection.run(QueueTasks(scope: scope, session: session, taskIds: [task.id]))
                    for step in Self.pathFromQueued[from]! {
                        _ = try fixture.connection.run(
                            UpdateProgress(scope: scope, session: session, taskId: task.id, status: step))
                    }
                }
                let before = try fixture.task(scope, task.id)
                let eventsBefore = try fixture.events(scope)
                #expect(before.progress(of: session.sessionId)?.status == from)
                let update = UpdateProgress(
                    scope: scope, session: session, taskId: task.id, status: to, notes: "note \(to.rawValue)")

                switch ProgressTransition.decide(from: from, to: to) {
                case .apply, .repeatCurrent:
                    let change = try fixture.connection.run(update)
                    let after = try fixture.task(scope, task.id)
                    let entry = after.progress(of: session.sessionId)
                    #expect(
                        entry?.status == to && entry?.notes == "note \(to.rawValue)",
                        "\(String(describing: from)) → \(to)")
                    #expect(change.previousStatus == from && change.version == after.version)
                    let startsTask = before.status == .todo && to == .working
                    #expect(after.status == (startsTask ? .inprogress : before.status))
                    #expect(after.version == before.version + (startsTask ? 2 : 1))
                    let new = Array(try fixture.events(scope).dropFirst(eventsBefore.count))
                    #expect(
                        new.map(\.type) == (startsTask ? [.taskSessionStatus, .taskUpdated] : [.taskSessionStatus]))
                    #expect(new.map(\.id) == change.eventIds)
                    let body = new.first.map(payload)
                    #expect(
                        body?["status"] as? String == to.rawValue && body?["sessionId"] as? String == session.sessionId)
                    #expect(
                        body?["notes"] as? String == "note \(to.rawValue)"
                            && body?["lastUpdated"] as? String == entry?.lastUpdated)
                case .refused(let allowed):
                    let error = fixture.refusal(.invalidTransition) { _ = try fixture.connection.run(update) }
                    #expect(error?.current == (from?.rawValue ?? "none"), "\(String(describing: from)) → \(to)")
                    let expected = allowed + (from.map { [$0] } ?? [])
                    #expect(
                        Set(error?.allowed ?? []) == Set(expected.map(\.rawValue)),
                        "\(String(describing: from)) → \(to)")
                    #expect(try fixture.task(scope, task.id) == before)
                    #expect(try fixture.events(scope) == eventsBefore)
                case .unchanged:
                    Issue.record("progress has no silent no-op")
                }
            }
        }
    }

    @Test("queueing: none → queued links both ways; again is a no-op; a cancelled task is refused")
    func queueing() async throws {
        let fixture = try await StoreFixture()
        let scope = try fixture.newScope()
        let task = try fixture.createTask(scope)
        let cancelled = try fixture.createTask(scope)
        _ = try fixture.connection.run(UpdateTask(scope: scope, taskId: cancelled.id, status: .cancelled))
        let session = try fixture.spawnSession(scope)

        let first = try fixture.connection.run(QueueTasks(scope: scope, session: session, taskIds: [task.id]))
        #expect(first.tasks.map(\.queued) == [true] && first.eventIds.count == 1)
        #expect(try fixture.task(scope, task.id).sessionIds == [session.sessionId])
        #expect(try fixture.session(scope, session.sessionId).taskIds == [task.id])

        let eventsBefore = try fixture.events(scope)
        let again = try fixture.connection.run(QueueTasks(scope: scope, session: session, taskIds: [task.id]))
        #expect(again.tasks.map(\.queued) == [false] && again.eventIds.isEmpty)
        #expect(try fixture.events(scope) == eventsBefore)

        let fresh = try fixture.createTask(scope)
        let eventsBeforeRefusal = try fixture.events(scope)
        let refused = fixture.refusal(.invalidTransition) {
            _ = try fixture.connection.run(
                QueueTasks(scope: scope, session: session, taskIds: [fresh.id, cancelled.id]))
        }
        #expect(refused?.current == "cancelled")
        #expect(try fixture.task(scope, fresh.id).sessionIds.isEmpty, "all or nothing")
        #expect(try fixture.events(scope) == eventsBeforeRefusal)
    }

    @Test("a session can write only its own progress, with its own token")
    func ownEntryOnly() async throws {
        let fixture = try await StoreFixture()
        let scope = try fixture.newScope()
        let task = try fixture.createTask(scope)
        let alice = try fixture.spawnSession(scope, taskIds: [task.id])
        let bob = try fixture.spawnSession(scope, taskIds: [task.id])
        let before = try fixture.task(scope, task.id)
        let impostor = SessionCredentials(sessionId: alice.sessionId, token: bob.token)
        for credentials in [impostor, SessionCredentials(sessionId: alice.sessionId, token: "")] {
            let error = fixture.refusal(.forbidden) {
                _ = try fixture.connection.run(
                    UpdateProgress(scope: scope, session: credentials, taskId: task.id, status: .working))
            }
            #expect(error != nil)
        }
        let unknown = SessionCredentials(sessionId: "sess_nobody", token: bob.token)
        #expect(
            fixture.refusal(.notFound) {
                _ = try fixture.connection.run(
                    UpdateProgress(scope: scope, session: unknown, taskId: task.id, status: .working))
            } != nil)
        #expect(try fixture.task(scope, task.id) == before)
    }

    @Test("a retried update with the same idempotency key applies once")
    func idempotentRetry() async throws {
        let fixture = try await StoreFixture()
        let scope = try fixture.newScope()
        let task = try fixture.createTask(scope)
        let session = try fixture.spawnSession(scope, taskIds: [task.id])
        let update = UpdateProgress(
            scope: scope, session: session, taskId: task.id, status: .working, idempotencyKey: "retry-1")
        let first = try fixture.connection.run(update)
        let eventsAfterFirst = try fixture.events(scope)
        let second = try fixture.connection.run(update)
        #expect(first == second)
        #expect(try fixture.events(scope) == eventsAfterFirst)
        #expect(try fixture.task(scope, task.id).version == first.version)
    }

    @Test("a replayed idempotency key needs the session's own token, and is the sender's own key")
    func idempotencyKeyNeedsTheToken() async throws {
        let fixture = try await StoreFixture()
        let scope = try fixture.newScope()
        let task = try fixture.createTask(scope)
        let alice = try fixture.spawnSession(scope, taskIds: [task.id])
        let bob = try fixture.spawnSession(scope, taskIds: [task.id])
        _ = try fixture.connection.run(
            UpdateProgress(scope: scope, session: alice, taskId: task.id, status: .working, idempotencyKey: "k"))
        let forged = SessionCredentials(sessionId: alice.sessionId, token: bob.token)
        for operation in [
            UpdateProgress(scope: scope, session: forged, taskId: task.id, status: .working, idempotencyKey: "k")
        ] {
            #expect(fixture.refusal(.forbidden) { _ = try fixture.connection.run(operation) } != nil)
        }
        let queueForged = QueueTasks(scope: scope, session: forged, taskIds: [task.id], idempotencyKey: "q")
        _ = try fixture.connection.run(
            QueueTasks(scope: scope, session: alice, taskIds: [task.id], idempotencyKey: "q"))
        #expect(fixture.refusal(.forbidden) { _ = try fixture.connection.run(queueForged) } != nil)
        // Bob's own call with the same key is his own: applied to his entry, not answered with Alice's result.
        let bobs = try fixture.connection.run(
            UpdateProgress(scope: scope, session: bob, taskId: task.id, status: .working, idempotencyKey: "k"))
        #expect(bobs.sessionId == bob.sessionId)
        #expect(try fixture.task(scope, task.id).sessionProgress.allSatisfy { $0.status == .working })
    }

    @Test("removing a session from a task drops it from both sides and keeps the rest")
    func removeSession() async throws {
        let fixture = try await StoreFixture()
        let scope = try fixture.newScope()
        let task = try fixture.createTask(scope)
        let alice = try fixture.spawnSession(scope, taskIds: [task.id])
        let bob = try fixture.spawnSession(scope, taskIds: [task.id])
        let change = try fixture.connection.run(
            RemoveSessionFromTask(scope: scope, taskId: task.id, sessionId: alice.sessionId))
        #expect(
            change.task.sessionIds == [bob.sessionId] && change.task.sessionProgress.map(\.sessionId) == [bob.sessionId]
        )
        #expect(try fixture.session(scope, alice.sessionId).taskIds.isEmpty)
        #expect(try fixture.events(scope).last?.type == .taskUpdated)
        #expect(
            fixture.refusal(.notFound) {
                _ = try fixture.connection.run(
                    RemoveSessionFromTask(scope: scope, taskId: task.id, sessionId: alice.sessionId))
            } != nil)
    }
}
