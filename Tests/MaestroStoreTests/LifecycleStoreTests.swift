import MaestroDomain
import MaestroStore
import Testing

@Suite("Session lifecycle through the store: every (from, to) pair")
struct LifecycleStoreTests {
    static let pathFromSpawning: [SessionLifecycle: [SessionLifecycle]] = [
        .spawning: [], .active: [.active], .stopped: [.active, .stopped], .failed: [.failed],
    ]

    static let eventType: [SessionLifecycle: EventType] = [
        .spawning: .sessionSpawn, .active: .sessionActive, .stopped: .sessionStopped, .failed: .sessionFailed,
    ]

    @Test("allowed pairs change the session and emit the matching event; others change nothing")
    func everyPair() async throws {
        let fixture = try await StoreFixture()
        for from in SessionLifecycle.allCases {
            for to in SessionLifecycle.allCases {
                let scope = try fixture.newScope()
                let task = try fixture.createTask(scope)
                let session = try fixture.spawnSession(scope, taskIds: [task.id])
                for step in Self.pathFromSpawning[from]! {
                    _ = try fixture.connection.run(
                        ChangeLifecycle(scope: scope, sessionId: session.sessionId, target: step, error: "crashed"))
                }
                let before = try fixture.session(scope, session.sessionId)
                let eventsBefore = try fixture.events(scope)
                let change = ChangeLifecycle(scope: scope, sessionId: session.sessionId, target: to, error: "exit 3")
                switch LifecycleTransition.decide(from: from, to: to) {
                case .apply:
                    let result = try fixture.connection.run(change)
                    let after = try fixture.session(scope, session.sessionId)
                    #expect(after.status == to && result.session == after, "\(from) → \(to)")
                    #expect(after.error == (to == .failed ? "exit 3" : to == .spawning ? nil : before.error))
                    #expect(after.taskIds == [task.id], "links stay as history")
                    let new = Array(try fixture.events(scope).dropFirst(eventsBefore.count))
                    #expect(new.map(\.type) == [Self.eventType[to]!], "\(from) → \(to)")
                    if to == .failed { #expect(new.first.map(payload)?["error"] as? String == "exit 3") }
                    #expect(try fixture.task(scope, task.id).progress(of: session.sessionId) != nil)
                case .refused(let allowed):
                    let error = fixture.refusal(.invalidTransition) { _ = try fixture.connection.run(change) }
                    #expect(
                        error?.current == from.rawValue && error?.allowed == allowed.map(\.rawValue), "\(from) → \(to)")
                    #expect(try fixture.session(scope, session.sessionId) == before)
                    #expect(try fixture.events(scope) == eventsBefore)
                case .unchanged, .repeatCurrent:
                    Issue.record("a lifecycle has no no-op")
                }
            }
        }
    }

    @Test("none → spawning is spawning; any other change of an unknown session is refused")
    func fromNone() async throws {
        let fixture = try await StoreFixture()
        let scope = try fixture.newScope()
        let task = try fixture.createTask(scope)
        let session = try fixture.spawnSession(scope, taskIds: [task.id])
        let events = try fixture.events(scope)
        #expect(events.suffix(2).map(\.type) == [.sessionSpawn, .taskSessionStatus])
        let spawn = payload(events[events.count - 2])
        #expect(spawn["taskIds"] as? [String] == [task.id] && spawn["spawnSource"] as? String == "ui")
        #expect(try fixture.session(scope, session.sessionId).status == .spawning)
        for to in SessionLifecycle.allCases {
            #expect(
                fixture.refusal(.notFound) {
                    _ = try fixture.connection.run(ChangeLifecycle(scope: scope, sessionId: "sess_unknown", target: to))
                } != nil)
        }
        #expect(
            fixture.refusal(.conflict) {
                _ = try fixture.connection.run(SpawnSession(scope: scope, credentials: session, spawnSource: .ui))
            } != nil, "an id is spawned once")
        #expect(try fixture.events(scope) == events)
    }
}
