import Foundation
import MaestroDomain
import MaestroStore
import RedisClient
import Testing

/// A task's links to its sessions live in its hash (`links`), which a page of summaries reads instead of each
/// progress entry: they must follow every change, and the lists older libraries kept must be folded into them.
@Suite("Task links: the summary's sessions follow every change, older lists are folded")
final class TaskLinksStoreTests {
    let fixture: StoreFixture

    init() async throws { fixture = try await StoreFixture() }

    /// Each task's sessions as the summary page gives them: "sessionId=status[@staleSince]", in order.
    func summaries(_ scope: ProjectScope, archived: Bool = false) throws -> [String: [String]] {
        let json = try fixture.connection.run(ListTaskSummaries(scope: scope, archived: archived))
        let page = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
        var result: [String: [String]] = [:]
        for task in try #require(page["tasks"] as? [[String: Any]]) {
            let progress = try #require(task["progress"] as? [[String: String]])
            result[try #require(task["id"] as? String)] = progress.map { link in
                "\(link["sessionId"] ?? "?")=\(link["status"] ?? "?")" + (link["staleSince"].map { "@" + $0 } ?? "")
            }
        }
        return result
    }

    /// The same from the full records, which read every progress entry itself.
    func fullRecords(_ scope: ProjectScope) throws -> [String: [String]] {
        var result: [String: [String]] = [:]
        for task in try fixture.connection.run(ListTasks(scope: scope, limit: 1000)).tasks {
            result[task.id] = task.sessionProgress.map { entry in
                "\(entry.sessionId)=\(entry.status.rawValue)" + (entry.staleSince.map { "@" + $0 } ?? "")
            }
        }
        return result
    }

    func expectSummariesMatch(_ scope: ProjectScope, _ step: String) throws {
        let full = try fullRecords(scope)
        #expect(try summaries(scope) == full, "after \(step)")
    }

    func report(_ scope: ProjectScope, _ session: SessionCredentials, _ taskId: String, _ status: SessionStatus)
        throws
    {
        _ = try fixture.connection.run(UpdateProgress(scope: scope, session: session, taskId: taskId, status: status))
    }

    func send(_ arguments: String...) throws -> RedisReply {
        try fixture.connection.send(RedisCommand(arguments: arguments.map { Array($0.utf8) }))
    }

    @Test("linking, reports, staleness, unlinking, archive, restore, deletion: the summary says what the entries say")
    func linksFollowEveryChange() throws {
        let scope = try fixture.newScope()
        let a = try fixture.createTask(scope).id
        let b = try fixture.createTask(scope).id
        let c = try fixture.createTask(scope).id
        let first = try fixture.spawnSession(scope, taskIds: [a, b])
        let second = try fixture.spawnSession(scope, taskIds: [a])
        try expectSummariesMatch(scope, "queueing")
        #expect(try summaries(scope)[a] == ["\(first.sessionId)=queued", "\(second.sessionId)=queued"])

        try report(scope, first, a, .working)
        try report(scope, second, a, .working)
        try report(scope, second, a, .blocked)
        try expectSummariesMatch(scope, "reports")

        _ = try fixture.connection.run(UpdateProject(scope: scope, staleAfterSeconds: 60))
        let past = Int(Date().timeIntervalSince1970 * 1000) - 120_000
        _ = try send("ZADD", scope.keyPrefix + "stale-due", "XX", String(past), "\(b) \(first.sessionId)")
        #expect(try fixture.connection.run(SweepStale(scope: scope)).stale.count == 1)
        try expectSummariesMatch(scope, "a sweep marked an entry stale")
        #expect(try summaries(scope)[b]?.first?.contains("=queued@") == true)
        try report(scope, first, b, .working)
        try expectSummariesMatch(scope, "a report ended staleness")

        _ = try fixture.connection.run(RemoveSessionFromTask(scope: scope, taskId: a, sessionId: second.sessionId))
        try expectSummariesMatch(scope, "unlinking")
        #expect(try summaries(scope)[a] == ["\(first.sessionId)=working"])

        try report(scope, first, a, .completed)
        _ = try fixture.connection.run(UpdateTask(scope: scope, taskId: a, status: .completed))
        let old = Date().addingTimeInterval(-30 * 86400).formatted(
            .iso8601.year().month().day().time(includingFractionalSeconds: true))
        _ = try send("HSET", scope.keyPrefix + "task:" + a, "updatedAt", old)
        #expect(try fixture.connection.run(ArchiveSweep(scope: scope, batch: 500)).archived == [a])
        #expect(try summaries(scope, archived: true)[a] == ["\(first.sessionId)=completed"])
        _ = try fixture.connection.run(RestoreTask(scope: scope, taskId: a))
        try expectSummariesMatch(scope, "archive and restore")
        #expect(try summaries(scope)[a] == ["\(first.sessionId)=completed"])

        _ = try fixture.connection.run(DeleteTask(scope: scope, taskId: b))
        try expectSummariesMatch(scope, "deleting")
        #expect(try send("EXISTS", scope.keyPrefix + "task:\(b)/progress/\(first.sessionId)").integer == 0)
        #expect(try summaries(scope)[c] == [])
        #expect(try send("HEXISTS", scope.keyPrefix + "task:" + c, "links").integer == 0, "no sessions, no field")
    }

    /// Turns a project back into what library 8 wrote: each task's links in a list of its own, no field, no marker.
    func makeLegacy(_ scope: ProjectScope, _ taskIds: [String]) throws {
        for taskId in taskIds {
            let key = scope.keyPrefix + "task:" + taskId
            let links = try send("HGET", key, "links").string ?? ""
            for link in links.split(separator: ",") {
                _ = try send("RPUSH", key + "/sessions", String(link.prefix { $0 != "=" }))
            }
            _ = try send("HDEL", key, "links")
        }
        _ = try send("DEL", scope.keyPrefix + "links-upgrade")
    }

    @Test("the lists of older libraries are folded in order, with what happened since; each project once")
    func olderListsAreFolded() throws {
        let scope = try fixture.newScope()
        let tasks = try (0..<3).map { _ in try fixture.createTask(scope).id }
        let first = try fixture.spawnSession(scope, taskIds: [tasks[0], tasks[1]])
        let second = try fixture.spawnSession(scope, taskIds: [tasks[0]])
        try report(scope, second, tasks[0], .working)
        _ = try fixture.connection.run(UpdateProject(scope: scope, staleAfterSeconds: 60))
        let past = Int(Date().timeIntervalSince1970 * 1000) - 120_000
        _ = try send("ZADD", scope.keyPrefix + "stale-due", "XX", String(past), "\(tasks[0]) \(second.sessionId)")
        _ = try fixture.connection.run(SweepStale(scope: scope))
        let before = try summaries(scope)
        try makeLegacy(scope, tasks)
        #expect(try summaries(scope)[tasks[0]] == [], "a legacy list is not read")
        // Between the new library's load and the fold: a session linked through the field, an entry removed.
        let late = try fixture.spawnSession(scope, taskIds: [tasks[1]])
        _ = try send("DEL", scope.keyPrefix + "task:\(tasks[1])/progress/\(first.sessionId)")
        // A larger project takes several steps; one of its last tasks has a list.
        let large = try fixture.newScope()
        let many = try (0..<1_100).map { index in try fixture.createTask(large, id: String(format: "t%04d", index)).id }
        _ = try fixture.spawnSession(large, taskIds: [many[1_050]])
        let largeBefore = try summaries(large)[many[1_050]]
        try makeLegacy(large, [many[1_050]])
        for project in [scope, large] { try fixture.connection.execute(RegisterProject(scope: project)) }

        #expect(try TaskLinksUpgrade.run(on: fixture.connection) == 1 + 3)
        let after = try summaries(scope)
        #expect(after[tasks[0]] == before[tasks[0]] && after[tasks[2]] == [])
        #expect(after[tasks[1]] == ["\(late.sessionId)=queued"])
        try expectSummariesMatch(scope, "the fold")
        #expect(try summaries(large)[many[1_050]] == largeBefore)
        for taskId in tasks + [many[1_050]] {
            #expect(try send("KEYS", "*task:\(taskId)/sessions").array?.isEmpty == true)
        }
        #expect(try send("GET", large.keyPrefix + "links-upgrade").string == "done")
        #expect(try TaskLinksUpgrade.run(on: fixture.connection) == 2, "a project done costs one step")
        let fresh = try fixture.newScope()
        try fixture.createTask(fresh)
        #expect(try send("GET", fresh.keyPrefix + "links-upgrade").string == "done", "a new project needs no fold")
    }
}
