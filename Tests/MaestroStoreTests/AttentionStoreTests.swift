import Foundation
import MaestroDomain
import MaestroStore
import RedisClient
import Testing

/// What needs a person without anyone saying so: stale progress entries, late heartbeats, and finished tasks that
/// could be closed.
@Suite("Attention: stale work, late heartbeats, suggestions, the fleet")
final class AttentionStoreTests {
    let fixture: StoreFixture

    init() async throws { fixture = try await StoreFixture() }

    /// Moves an entry's last report `seconds` into the past, as far as the stale watch is concerned.
    func backdate(_ scope: ProjectScope, _ taskId: String, _ sessionId: String, seconds: Int) throws {
        let past = Int(Date().timeIntervalSince1970 * 1000) - seconds * 1000
        _ = try fixture.connection.send(
            RedisCommand("ZADD", scope.keyPrefix + "stale-due", "XX", String(past), "\(taskId) \(sessionId)"))
    }

    func report(_ scope: ProjectScope, _ session: SessionCredentials, _ taskId: String, _ status: SessionStatus)
        throws
    {
        _ = try fixture.connection.run(UpdateProgress(scope: scope, session: session, taskId: taskId, status: status))
    }

    /// Every step of a sweep, until no more is left.
    func sweep(_ scope: ProjectScope) throws -> [SweepStale.Step.Entry] {
        var stale: [SweepStale.Step.Entry] = []
        while true {
            let step = try fixture.connection.run(SweepStale(scope: scope))
            stale += step.stale
            if !step.more { return stale }
        }
    }

    @Test("queued and working entries past staleAfterSeconds go stale once, with an event; a report clears it")
    func staleOnceAndCleared() throws {
        let scope = try fixture.newScope()
        let task = try fixture.createTask(scope).id
        let other = try fixture.createTask(scope).id
        let session = try fixture.spawnSession(scope, taskIds: [task, other])
        try report(scope, session, task, .working)
        try report(scope, session, other, .working)
        try report(scope, session, other, .blocked)  // blocked waits on someone else: never stale
        try backdate(scope, task, session.sessionId, seconds: 1801)
        #expect(try sweep(scope).isEmpty == false)
        let before = try fixture.events(scope).count
        #expect(try sweep(scope).isEmpty, "a second sweep marks nothing")
        #expect(try fixture.events(scope).count == before)

        let marked = try fixture.task(scope, task)
        let entry = try #require(marked.progress(of: session.sessionId))
        #expect(entry.status == .working && entry.staleSince != nil)
        #expect(marked.aggregateStatus == .stale)
        #expect(try fixture.task(scope, other).progress(of: session.sessionId)?.staleSince == nil)
        let event = try #require(try fixture.events(scope).last)
        #expect(event.type == .taskSessionStale)
        #expect(payload(event)["taskId"] as? String == task && payload(event)["version"] as? Int == marked.version)
        #expect(payload(event)["staleSince"] as? String == entry.staleSince)
        #expect(try fixture.connection.run(ListStaleTasks(scope: scope)).tasks.map(\.id) == [task])

        try report(scope, session, task, .working)
        #expect(try fixture.task(scope, task).progress(of: session.sessionId)?.staleSince == nil)
        #expect(try fixture.connection.run(ListStaleTasks(scope: scope)).total == 0)
        #expect(try sweep(scope).isEmpty, "reported just now: fresh again")
    }

    @Test("staleSince is the last report plus the project's staleAfterSeconds, which a project may change")
    func staleSinceFollowsTheSetting() throws {
        let scope = try fixture.newScope()
        _ = try fixture.connection.run(UpdateProject(scope: scope, staleAfterSeconds: 60))
        let task = try fixture.createTask(scope).id
        let session = try fixture.spawnSession(scope, taskIds: [task])  // queued counts too
        try backdate(scope, task, session.sessionId, seconds: 61)
        let member = "\(task) \(session.sessionId)"
        let lastReport = try #require(
            try fixture.connection.send(RedisCommand("ZSCORE", scope.keyPrefix + "stale-due", member)).string
                .flatMap(Double.init))
        #expect(try sweep(scope).map(\.taskId) == [task])
        let entry = try #require(try fixture.task(scope, task).progress(of: session.sessionId))
        let since = try Date(
            try #require(entry.staleSince),
            strategy: .iso8601.year().month().day().time(
                includingFractionalSeconds: true))
        #expect(Int((since.timeIntervalSince1970 * 1000).rounded()) == Int(lastReport) + 60_000)
    }

    @Test("entries written before the stale watch existed are found by the first sweep")
    func existingEntriesAreWatched() throws {
        let scope = try fixture.newScope()
        let task = try fixture.createTask(scope).id
        let session = try fixture.spawnSession(scope, taskIds: [task])
        try report(scope, session, task, .working)
        // As a project written by an older library looks: no watch, no marker, a report long ago.
        let progress = scope.keyPrefix + "task:\(task)/progress/\(session.sessionId)"
        _ = try fixture.connection.send(RedisCommand("HSET", progress, "lastUpdated", "2020-01-01T00:00:00.000Z"))
        _ = try fixture.connection.send(
            RedisCommand("DEL", scope.keyPrefix + "stale-due", scope.keyPrefix + "stale-watch"))
        #expect(try sweep(scope).map(\.sessionId) == [session.sessionId])
        #expect(try fixture.task(scope, task).progress(of: session.sessionId)?.staleSince == "2020-01-01T00:30:00.000Z")
    }

    @Test("deleting the task, unlinking the session or archiving ends the watch")
    func watchEnds() throws {
        let scope = try fixture.newScope()
        let deleted = try fixture.createTask(scope).id
        let unlinked = try fixture.createTask(scope).id
        let session = try fixture.spawnSession(scope, taskIds: [deleted, unlinked])
        _ = try fixture.connection.run(DeleteTask(scope: scope, taskId: deleted))
        _ = try fixture.connection.run(
            RemoveSessionFromTask(scope: scope, taskId: unlinked, sessionId: session.sessionId))
        #expect(try fixture.connection.send(RedisCommand("ZCARD", scope.keyPrefix + "stale-due")).integer == 0)
    }

    @Test("an inprogress task whose sessions all finished suggests completed (one completed) or todo (none did)")
    func suggestedStatus() throws {
        let scope = try fixture.newScope()
        let task = try fixture.createTask(scope).id
        let first = try fixture.spawnSession(scope, taskIds: [task])
        let second = try fixture.spawnSession(scope, taskIds: [task])
        try report(scope, first, task, .working)  // starts the task: inprogress
        #expect(try fixture.task(scope, task).suggestedStatus == nil)
        try report(scope, first, task, .failed)
        #expect(try fixture.task(scope, task).suggestedStatus == nil, "the second session is still queued")
        try report(scope, second, task, .cancelled)
        #expect(try fixture.task(scope, task).suggestedStatus == .todo)
        #expect(payload(try fixture.events(scope).last!)["suggestedStatus"] as? String == "todo")
        try report(scope, first, task, .working)
        try report(scope, first, task, .completed)
        #expect(try fixture.task(scope, task).suggestedStatus == .completed)
        let summaries = String(decoding: try fixture.connection.run(ListTaskSummaries(scope: scope)), as: UTF8.self)
        #expect(summaries.contains(#""suggestedStatus":"completed""#))
        _ = try fixture.connection.run(UpdateTask(scope: scope, taskId: task, status: .completed))
        #expect(try fixture.task(scope, task).suggestedStatus == nil, "a suggestion is only for inprogress tasks")
        #expect(try fixture.task(scope, task).status == .completed)
    }

    @Test("a late heartbeat marks the session unresponsive once; the next heartbeat clears it")
    func unresponsive() throws {
        let scope = try fixture.newScope()
        let session = try fixture.spawnSession(scope)
        let identity = SupervisorIdentity(session: session, supervisorId: "sup_0123456789")
        _ = try fixture.connection.run(ClaimSession(scope: scope, supervisor: identity, leaseSeconds: 60, host: "h1"))
        _ = try fixture.connection.run(SweepLeases(scope: scope))
        #expect(try fixture.session(scope, session.sessionId).unresponsiveSince == nil, "not late yet")
        _ = try fixture.connection.send(
            RedisCommand("ZADD", scope.keyPrefix + "heartbeat-due", "XX", "1000", session.sessionId))
        #expect(try fixture.connection.run(SweepLeases(scope: scope)).isEmpty, "late, not lost")
        _ = try fixture.connection.run(SweepLeases(scope: scope))
        let late = try fixture.session(scope, session.sessionId)
        #expect(late.unresponsiveSince == "1970-01-01T00:00:01.000Z" && late.status == .spawning)
        #expect(try fixture.events(scope).filter { $0.type == .sessionUnresponsive }.count == 1)
        _ = try fixture.connection.run(Heartbeat(scope: scope, supervisor: identity, leaseSeconds: 60))
        #expect(try fixture.session(scope, session.sessionId).unresponsiveSince == nil)
        #expect(try fixture.events(scope).last?.type == .sessionResponsive)
    }

    @Test("the fleet page counts each session's entries by status, its stale ones, and its heartbeat's age")
    func fleet() throws {
        let scope = try fixture.newScope()
        let tasks = try (0..<3).map { _ in try fixture.createTask(scope).id }
        let session = try fixture.spawnSession(scope, taskIds: tasks)
        let idle = try fixture.spawnSession(scope)
        try report(scope, session, tasks[0], .working)
        try report(scope, session, tasks[1], .working)
        try backdate(scope, tasks[1], session.sessionId, seconds: 4000)
        _ = try sweep(scope)
        let identity = SupervisorIdentity(session: session, supervisorId: "sup_0123456789")
        _ = try fixture.connection.run(ClaimSession(scope: scope, supervisor: identity, leaseSeconds: 60, host: "h1"))
        let page = try fixture.connection.run(ListFleetSessions(scope: scope))
        #expect(page.total == 2 && page.sessions.map(\.session.id) == [session.sessionId, idle.sessionId])
        #expect(page.sessions[0].progress == ["working": 2, "queued": 1] && page.sessions[0].stale == 1)
        #expect(page.sessions[0].heartbeatAgeSeconds == 0 && page.sessions[0].session.host == "h1")
        #expect(page.sessions[1].progress.isEmpty && page.sessions[1].heartbeatAgeSeconds == nil)
    }
}
