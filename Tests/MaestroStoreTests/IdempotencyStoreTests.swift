import MaestroDomain
import MaestroStore
import RedisClient
import Testing

/// Idempotency keys bind the arguments of the call they first named: a retry gets the stored reply, another call
/// under the same key is refused; a replayed spawn gives a token that works.
@Suite("Idempotency keys bind their arguments")
final class IdempotencyStoreTests {
    let fixture: StoreFixture

    init() async throws { fixture = try await StoreFixture() }

    @Test("a key replayed with the same arguments returns the stored reply and changes nothing more")
    func sameArguments() throws {
        let scope = try fixture.newScope()
        let create = CreateTask(scope: scope, taskId: "t1", title: "One", idempotencyKey: "k-create")
        let first = try fixture.connection.run(create)
        let events = try fixture.events(scope)
        let again = try fixture.connection.run(create)
        #expect(again == first)
        #expect(try fixture.events(scope) == events)
    }

    @Test("a key reused with other arguments is refused (409 CONFLICT) and changes nothing, for every writing call")
    func otherArguments() throws {
        let scope = try fixture.newScope()
        let task = try fixture.createTask(scope)
        let session = try fixture.spawnSession(scope, taskIds: [task.id])
        let calls: [(any StoreOperation, any StoreOperation)] = [
            (
                CreateTask(scope: scope, taskId: "a", title: "A", idempotencyKey: "k1"),
                CreateTask(scope: scope, taskId: "b", title: "A", idempotencyKey: "k1")
            ),
            (
                UpdateTask(scope: scope, taskId: task.id, title: "X", idempotencyKey: "k2"),
                UpdateTask(scope: scope, taskId: task.id, title: "Y", idempotencyKey: "k2")
            ),
            (
                UpdateProgress(
                    scope: scope, session: session, taskId: task.id, status: .working, idempotencyKey: "k3"),
                UpdateProgress(
                    scope: scope, session: session, taskId: task.id, status: .blocked, notes: "key",
                    idempotencyKey: "k3")
            ),
        ]
        for (first, second) in calls {
            _ = try run(first)
            let before = try fixture.connection.keysEverywhere("mae:{\(scope.projectId)}:*").sorted()
            let events = try fixture.events(scope)
            let error = fixture.refusal(.conflict) { _ = try run(second) }
            #expect(error?.message.contains("idempotency key reused with other arguments") == true, "\(second)")
            #expect(try fixture.events(scope) == events)
            #expect(try fixture.connection.keysEverywhere("mae:{\(scope.projectId)}:*").sorted() == before)
        }
    }

    @Test("a spawn replayed with a fresh token returns the original session, and the new token works")
    func spawnReplay() throws {
        let scope = try fixture.newScope()
        let task = try fixture.createTask(scope)
        let first = SessionCredentials(sessionId: "sess_replayed", token: RandomIdentifier.token())
        let spawn = { (credentials: SessionCredentials) in
            SpawnSession(
                scope: scope, credentials: credentials, name: "agent", spawnSource: .ui, taskIds: [task.id],
                idempotencyKey: "spawn-1")
        }
        let original = try fixture.connection.run(spawn(first))
        let retry = SessionCredentials(sessionId: "sess_replayed", token: RandomIdentifier.token())
        let replayed = try fixture.connection.run(spawn(retry))
        #expect(replayed.session == original.session && replayed.eventIds == original.eventIds)
        _ = try fixture.connection.run(
            UpdateProgress(scope: scope, session: retry, taskId: task.id, status: .working))
        #expect(
            fixture.refusal(.forbidden) {
                _ = try fixture.connection.run(
                    UpdateProgress(scope: scope, session: first, taskId: task.id, status: .working))
            } != nil, "the replaced token (never delivered) no longer works")

        // Once a supervisor took the session over, a replay cannot hand out another token.
        let identity = SupervisorIdentity(session: retry, supervisorId: "sup_0123456789")
        _ = try fixture.connection.run(ClaimSession(scope: scope, supervisor: identity, leaseSeconds: 30, host: nil))
        let late = SessionCredentials(sessionId: "sess_replayed", token: RandomIdentifier.token())
        let error = fixture.refusal(.conflict) { _ = try fixture.connection.run(spawn(late)) }
        #expect(error?.message.contains("already taken over") == true)
        _ = try fixture.connection.run(
            UpdateProgress(scope: scope, session: retry, taskId: task.id, status: .blocked, notes: "still mine"))
    }

    @Test("a user's stop retried with its key returns the stored reply; without the key it is refused as a repeat")
    func stopRetry() throws {
        let scope = try fixture.newScope()
        let session = try fixture.spawnSession(scope)
        _ = try fixture.connection.run(ChangeLifecycle(scope: scope, sessionId: session.sessionId, target: .active))
        let stop = ChangeLifecycle(
            scope: scope, sessionId: session.sessionId, target: .stopped, byUser: true, idempotencyKey: "stop-1")
        let first = try fixture.connection.run(stop)
        #expect(try fixture.connection.run(stop) == first)
        let error = fixture.refusal(.invalidTransition) {
            _ = try fixture.connection.run(
                ChangeLifecycle(scope: scope, sessionId: session.sessionId, target: .stopped, byUser: true))
        }
        #expect(error?.current == "stopped" && error?.allowed == ["spawning"])
    }

    @Test("a user may only stop an active session and restart a stopped or failed one")
    func userLifecycle() throws {
        for from in SessionLifecycle.allCases {
            for to in SessionLifecycle.allCases {
                let scope = try fixture.newScope()
                let session = try fixture.spawnSession(scope)
                for step in LifecycleStoreTests.pathFromSpawning[from]! {
                    _ = try fixture.connection.run(
                        ChangeLifecycle(scope: scope, sessionId: session.sessionId, target: step))
                }
                let change = ChangeLifecycle(scope: scope, sessionId: session.sessionId, target: to, byUser: true)
                if AccessPolicy.permits(.user, .lifecycle(from: from, to: to))
                    && LifecycleTransition.decide(from: from, to: to) == .apply
                {
                    #expect(try fixture.connection.run(change).session.status == to, "\(from) → \(to)")
                } else {
                    let error = fixture.refusal(.invalidTransition) { _ = try fixture.connection.run(change) }
                    #expect(error?.current == from.rawValue, "\(from) → \(to)")
                    #expect(try fixture.session(scope, session.sessionId).status == from)
                }
            }
        }
    }

    private func run(_ operation: any StoreOperation) throws -> Any {
        try fixture.connection.run(operation)
    }
}
