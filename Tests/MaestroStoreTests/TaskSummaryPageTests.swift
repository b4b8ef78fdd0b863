import Foundation
import MaestroDomain
@testable import MaestroStore
import RedisClient
import Testing

/// A page of summaries is laid out by the server from the fields the function returns: each summary must say what
/// the full record says, whatever the title holds, and be valid JSON.
@Suite("Task summary pages: the server's JSON says what the full records say")
final class TaskSummaryPageTests {
    let fixture: StoreFixture

    init() async throws { fixture = try await StoreFixture() }

    func page(_ scope: ProjectScope, statuses: [TaskStatus] = [], archived: Bool = false) throws -> [String: Any] {
        let json = try fixture.connection.run(ListTaskSummaries(scope: scope, statuses: statuses, archived: archived))
        return try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
    }

    /// The summary's keys and values for `task` as the full record gives them.
    func expected(_ task: TaskRecord) -> [String: String] {
        var fields = [
            "id": task.id, "title": task.title, "status": task.status.rawValue, "priority": task.priority.rawValue,
            "createdAt": task.createdAt, "updatedAt": task.updatedAt, "version": String(task.version),
        ]
        fields["parentId"] = task.parentId
        fields["suggestedStatus"] = task.suggestedStatus?.rawValue
        if task.archived { fields["archived"] = "true" }
        return fields
    }

    /// A summary's keys and values but its progress array, as text.
    func fields(_ summary: [String: Any]) -> [String: String] {
        var fields: [String: String] = [:]
        for (key, value) in summary where key != "progress" {
            fields[key] = key == "archived" ? (value as? Bool).map { "\($0)" } : "\(value)"
        }
        return fields
    }

    @Test("titles with quotes, backslashes and any script; parents; suggestions; the archive")
    func summariesMatchFullRecords() throws {
        let scope = try fixture.newScope()
        let titles = [
            #"He said "ship it" \ twice"#, #"C:\path\"#, "日本語 ✓ émoji 🎉 a/b </script>",
        ]
        var ids: [String] = []
        for title in titles {
            let id = RandomIdentifier.make(prefix: "task")
            ids.append(try fixture.connection.run(CreateTask(scope: scope, taskId: id, title: title)).task.id)
        }
        let child = try fixture.connection.run(
            CreateTask(scope: scope, taskId: "child", title: "Child", priority: .high, parentId: ids[0])
        ).task.id
        let session = try fixture.spawnSession(scope, taskIds: [ids[1], child])
        _ = try fixture.connection.run(UpdateTask(scope: scope, taskId: ids[1], status: .inprogress))
        for status in [SessionStatus.working, .completed] {
            _ = try fixture.connection.run(UpdateProgress(scope: scope, session: session, taskId: ids[1], status: status))
        }
        _ = try fixture.connection.run(UpdateProgress(scope: scope, session: session, taskId: child, status: .working))

        let full = try fixture.connection.run(ListTasks(scope: scope, limit: 1000))
        #expect(full.tasks.first { $0.id == ids[1] }?.suggestedStatus == .completed, "the suggestion is exercised")
        let summaries = try page(scope)
        #expect(summaries["total"] as? Int == 4 && (summaries["cursor"] as? String)?.contains("-") == true)
        let tasks = try #require(summaries["tasks"] as? [[String: Any]])
        #expect(tasks.map(fields) == full.tasks.map(expected))
        for (summary, task) in zip(tasks, full.tasks) {
            let progress = try #require(summary["progress"] as? [[String: String]])
            #expect(progress == task.sessionProgress.map { ["sessionId": $0.sessionId, "status": $0.status.rawValue] })
        }
        let filtered = try #require(try page(scope, statuses: [.inprogress])["tasks"] as? [[String: Any]])
        #expect(filtered.map { $0["id"] as? String } == full.tasks.filter { $0.status == .inprogress }.map(\.id))

        // The archive: the same fields from the archived string, and "archived":true.
        _ = try fixture.connection.run(UpdateTask(scope: scope, taskId: ids[2], status: .cancelled))
        _ = try fixture.connection.send(
            RedisCommand("HSET", scope.keyPrefix + "task:" + ids[2], "updatedAt", "2020-01-01T00:00:00.000Z"))
        #expect(try fixture.connection.run(ArchiveSweep(scope: scope, batch: 100)).archived == [ids[2]])
        let archived = try #require(try page(scope, archived: true)["tasks"] as? [[String: Any]])
        let archivedTask = try fixture.task(scope, ids[2])
        #expect(archived.map(fields) == [expected(archivedTask)])
        #expect(try page(scope, archived: true)["total"] as? Int == 1)
        #expect(try #require(try page(scope, statuses: [.completed])["tasks"] as? [[String: Any]]).isEmpty)
    }

    @Test("a title with control characters (which writes refuse) still makes valid JSON; a malformed reply is refused")
    func titlesAreEscaped() throws {
        let title = "line\nbreak\ttab\r\u{1}\u{1F}\"\\"
        func reply(_ fields: [RedisReply]) -> RedisReply {
            .array([.integer(1), .bulk(Array("5-0".utf8)), .integer(0), .array([.array(fields)])])
        }
        let fields: [RedisReply] = [
            .bulk(Array(title.utf8)), .bulk(Array("todo".utf8)), .bulk(Array("low".utf8)), .null,
            .bulk(Array("c".utf8)), .bulk(Array("u".utf8)), .bulk(Array("1".utf8)), .bulk(Array("[]".utf8)),
            .bulk(Array("t".utf8)), .null,
        ]
        let json = try TaskSummaryPage.json(from: reply(fields))
        let page = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
        #expect((page["tasks"] as? [[String: Any]])?.first?["title"] as? String == title)
        #expect(throws: StoreError.self) { try TaskSummaryPage.json(from: reply(Array(fields.prefix(9)))) }
        #expect(throws: StoreError.self) { try TaskSummaryPage.json(from: .bulk(Array("{}".utf8))) }
    }
}
