import Foundation
import MaestroDomain
import MaestroMigration
import MaestroStore
import ProcessTestSupport
import RedisClient
import RedisTestSupport
import Testing

/// `maestro migrate` run as a binary against a private redis-server and old data written by the tests.
@Suite("maestro migrate")
final class MigrateCommandTests {
    let fixture: MigrationFixture

    init() async throws { fixture = try await MigrationFixture() }

    static let oldTaskStatuses = [
        "pending": TaskStatus.todo, "in_progress": .inprogress, "completed": .completed, "blocked": .inprogress,
        "todo": .todo, "cancelled": .cancelled, "weird": .todo,
    ]
    static let oldAgentStatuses: [String: SessionStatus] = [
        "queued": .queued, "working": .working, "needs_input": .needsInput, "blocked": .blocked,
        "completed": .completed, "failed": .failed, "cancelled": .cancelled, "skipped": .cancelled,
        "bogus": .queued,
    ]
    static let oldSessionStatuses: [String: (SessionLifecycle, String?)] = [
        "spawning": (.stopped, "spawning"), "running": (.stopped, "running"), "idle": (.stopped, "idle"),
        "working": (.stopped, "working"), "completed": (.stopped, "completed"), "stopped": (.stopped, nil),
        "failed": (.failed, nil), "lost": (.stopped, "lost"),
    ]

    /// One old task per task status (project `proj_s`), one per agentStatus (`sessionStatus` for every other),
    /// one session per old session status, a project file, and an older flat task.
    func writeOldData() throws {
        for (index, status) in Self.oldTaskStatuses.keys.sorted().enumerated() {
            try fixture.write(
                "tasks/proj_s/task_\(status).json",
                #"{"id":"task_\#(status)","projectId":"proj_s","title":"Status \#(status)","status":"\#(status)","#
                    + #""createdAt":\#(1_700_000_000_000 + index),"updatedAt":1700000100000,"initialPrompt":"go"}"#)
        }
        for (index, status) in Self.oldAgentStatuses.keys.sorted().enumerated() {
            let field = index % 2 == 0 ? "agentStatus" : "sessionStatus"
            try fixture.write(
                "tasks/proj_a/task_\(status).json",
                #"{"id":"task_\#(status)","title":"Agent \#(status)","status":"in_progress","#
                    + #""sessionIds":["sess_\#(index)","sess_x"],"\#(field)":"\#(status)","#
                    + #""createdAt":1700000000000,"updatedAt":1700000200000,"skillIds":["s"],"timeline":[]}"#)
        }
        for status in Self.oldSessionStatuses.keys.sorted() {
            try fixture.write(
                "sessions/sess_\(status).json",
                #"{"id":"sess_\#(status)","projectId":"proj_s","name":"Agent \#(status)","status":"\#(status)","#
                    + #""taskIds":["task_pending"],"startedAt":1700000000000,"hostname":"box","env":{"K":"v"}}"#)
        }
        try fixture.write(
            "tasks/proj_s/task_pending.json",
            #"{"id":"task_pending","title":"Status pending","status":"pending","sessionIds":"#
                + #"["sess_running","sess_failed"],"agentStatus":"working","createdAt":1700000000000,"#
                + #""updatedAt":1700000100000}"#)
        try fixture.write(
            "projects/proj_s.json",
            #"{"id":"proj_s","name":"Statuses","description":"Every row","workingDir":"/w","createdAt":1700000000000,"#
                + #""updatedAt":1700000000000}"#)
        try fixture.write("tasks/task_flat.json", #"{"id":"task_flat","title":"Flat","status":"completed"}"#)
    }

    @Test("every mapping row lands in Redis: task statuses, progress per old session, lifecycles, extra data")
    func mappingRows() throws {
        try writeOldData()
        let result = try fixture.migrate()
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.isEmpty, "no progress bar when stderr is not a terminal")
        for (old, new) in Self.oldTaskStatuses where old != "pending" {
            let task = try fixture.task("proj_s", "task_\(old)")
            #expect(task.status == new, "\(old)")
            #expect(task.extra?["initialPrompt"] == .string("go") && task.version == 1)
            #expect(task.createdAt.hasPrefix("2023-11-14T22:13:20.0") && task.updatedAt == "2023-11-14T22:15:00.000Z")
        }
        #expect(try fixture.task("proj_s", "task_weird").extra?["status"] == .string("weird"))
        for (index, (old, new)) in Self.oldAgentStatuses.sorted(by: { $0.key < $1.key }).enumerated() {
            let task = try fixture.task("proj_a", "task_\(old)")
            #expect(task.sessionIds == ["sess_\(index)", "sess_x"], "\(old)")
            #expect(task.sessionProgress.map(\.status) == [new, new], "\(old)")
            #expect(task.sessionProgress.allSatisfy { $0.lastUpdated == "2023-11-14T22:16:40.000Z" })
            let field = index % 2 == 0 ? "agentStatus" : "sessionStatus"
            #expect(task.extra?["skillIds"] != nil && task.extra?[field] == (old == "bogus" ? .string(old) : nil))
        }
        for (old, (lifecycle, legacy)) in Self.oldSessionStatuses {
            let session = try fixture.session("proj_s", "sess_\(old)")
            #expect(session.status == lifecycle && session.legacyStatus == legacy, "\(old)")
            #expect(session.name == "Agent \(old)" && session.extra?["hostname"] == .string("box"))
            let linked = old == "running" || old == "failed"
            #expect(session.taskIds == (linked ? ["task_pending"] : []), "\(old)")
        }
        let pending = try fixture.task("proj_s", "task_pending")
        #expect(pending.sessionIds == ["sess_running", "sess_failed"] && pending.aggregateStatus == .working)
        let project = try fixture.connection.run(GetProject(scope: fixture.scope("proj_s"))).project
        #expect(project?.name == "Statuses" && project?.extra == ["workingDir": .string("/w")])
        #expect(try fixture.task("default", "task_flat").status == .completed, "flat layout, default project")
        #expect(result.stdout.contains("task status \"weird\" → todo"))
        #expect(result.stdout.contains("initialPrompt ×"))
        let list = try fixture.connection.run(ListTasks(scope: fixture.scope("proj_s"), statuses: [.inprogress]))
        #expect(Set(list.tasks.map(\.id)) == ["task_in_progress", "task_blocked"], "status indexes maintained")
    }

    @Test("a second run changes nothing and says so; dry runs write nothing")
    func idempotentAndDryRun() throws {
        try writeOldData()
        let dry = try fixture.migrate("--dry-run")
        #expect(dry.status == 0 && dry.stdout.contains("dry run"))
        #expect(try fixture.dump().isEmpty, "a dry run writes nothing")
        #expect(try fixture.migrate().status == 0)
        let before = try fixture.dump()
        let again = try fixture.migrate()
        #expect(again.status == 0 && again.stdout.contains("Nothing to change"), "\(again.stdout)")
        #expect(try fixture.dump() == before, "the second run wrote nothing, not even events")
        let report = try JSONDecoder().decode(
            MigrationReport.self, from: Data(try fixture.migrate("--json", "--dry-run").stdout.utf8))
        #expect(report.tasks.unchanged == 7 + 9 + 1 && report.tasks.imported == 0 && report.sessions.unchanged == 8)
        #expect(try fixture.dump() == before)
    }

    @Test("a record changed in Redis since is never overwritten: it is reported as skipped")
    func newerRecordKept() throws {
        try writeOldData()
        #expect(try fixture.migrate().status == 0)
        let scope = try fixture.scope("proj_s")
        _ = try fixture.connection.run(UpdateTask(scope: scope, taskId: "task_todo", title: "Renamed since"))
        try fixture.write(
            "tasks/proj_s/task_todo.json",
            #"{"id":"task_todo","title":"Changed in the old data","status":"todo","updatedAt":1700000900000}"#)
        try fixture.write(
            "tasks/proj_s/task_cancelled.json",
            #"{"id":"task_cancelled","title":"Newer old data","status":"cancelled","createdAt":1700000000000,"#
                + #""updatedAt":1700000900000}"#)
        let result = try fixture.migrate("--json")
        let report = try JSONDecoder().decode(MigrationReport.self, from: Data(result.stdout.utf8))
        #expect(report.skipped.map(\.id) == ["task_todo"] && report.skipped.first?.reason == "newer")
        #expect(try fixture.task("proj_s", "task_todo").title == "Renamed since")
        let updated = try fixture.task("proj_s", "task_cancelled")
        #expect(updated.title == "Newer old data" && updated.version == 2, "older in Redis: replaced, version grows")
        #expect(report.tasks.updated == 1)
        let text = try fixture.migrate()
        #expect(text.stdout.contains("Skipped: Redis has a newer record") && text.stdout.contains("task_todo"))
    }

    @Test("bad files are reported one by one, the rest is imported, exit code 8")
    func badFiles() throws {
        try fixture.write("tasks/proj_b/good.json", #"{"id":"good","title":"Good"}"#)
        try fixture.write("tasks/proj_b/malformed.json", "{\"id\": \"malformed\",\n  \"title\": }")
        try fixture.write("tasks/proj_b/array.json", "[1, 2]")
        try fixture.write("tasks/proj_b/empty.json", "")
        try fixture.write("tasks/proj_b/space.json", #"{"id":"has space","title":"Bad id"}"#)
        try fixture.write("tasks/proj_b/brace.json", #"{"id":"a{b}","title":"Bad id"}"#)
        try fixture.write("tasks/proj_b/newline.json", #"{"id":"a\nb","title":"Bad id"}"#)
        try fixture.write("tasks/bad project/t.json", #"{"id":"t","title":"Bad project"}"#)
        try fixture.write("sessions/slash.json", #"{"id":"a/b","projectId":"proj_b"}"#)
        var huge = Data(#"{"id":"huge","title":"Huge","padding":""#.utf8)
        huge.append(Data(repeating: UInt8(ascii: "x"), count: LegacyDataDirectory.maximumFileBytes))
        huge.append(Data(#""}"#.utf8))
        try fixture.write("tasks/proj_b/huge.json", huge)
        try fixture.write("tasks/proj_b/notes.txt", "not a record")
        let result = try fixture.migrate("--json")
        #expect(result.status == 8, "\(result.stderr)")
        #expect(result.stderr.contains("were not imported"))
        let report = try JSONDecoder().decode(MigrationReport.self, from: Data(result.stdout.utf8))
        let reasons = Dictionary(uniqueKeysWithValues: report.failures.map { ($0.path ?? "", $0.message) })
        #expect(reasons["tasks/proj_b/malformed.json"]?.contains("line 2, column 12") == true, "\(reasons)")
        #expect(reasons["tasks/proj_b/array.json"]?.contains("not an object") == true)
        #expect(reasons["tasks/proj_b/empty.json"]?.contains("end of input") == true)
        #expect(reasons["tasks/proj_b/huge.json"]?.contains("over the limit") == true)
        for path in ["space", "brace", "newline"] {
            #expect(reasons["tasks/proj_b/\(path).json"]?.contains("invalid task id") == true, "\(path)")
        }
        #expect(reasons["tasks/bad project/t.json"]?.contains("invalid project id") == true)
        #expect(reasons["sessions/slash.json"]?.contains("invalid session id") == true)
        #expect(report.failures.count == 9 && report.tasks.failed == 8 && report.sessions.failed == 1)
        #expect(report.ignoredFiles == ["tasks/proj_b/notes.txt"])
        #expect(try fixture.task("proj_b", "good").title == "Good", "the rest is imported")
        let text = try fixture.migrate()
        #expect(text.status == 8 && text.stdout.contains("tasks/proj_b/malformed.json: malformed JSON at line 2"))
    }

    @Test("--project migrates one project only; usage errors exit 64; --help")
    func projectFilterAndUsage() throws {
        try writeOldData()
        try fixture.write("tasks/proj_other/broken.json", "{")
        let result = try fixture.migrate("--project", "proj_a", "--json")
        #expect(result.status == 0, "another project's broken file is not this run's business: \(result.stdout)")
        let report = try JSONDecoder().decode(MigrationReport.self, from: Data(result.stdout.utf8))
        #expect(report.tasks.created == 9 && report.sessions.created == 0 && report.projects.created == 0)
        #expect(try fixture.streamLength("proj_s") == 0)
        #expect(try fixture.cli("migrate").status == 64)
        #expect(try fixture.migrate("--project", "bad id").status == 64)
        #expect(try fixture.cli("migrate", "--from", "/nonexistent").status == 64)
        #expect(try fixture.cli("migrate", "--from", fixture.directory.path + "/tasks/proj_s").status == 64)
        for command in ["migrate", "export", "import"] {
            let help = try fixture.cli(command, "--help")
            #expect(help.status == 0 && help.stdout.hasPrefix("OVERVIEW: "), "\(command)")
        }
        #expect(try fixture.cli("import", "--help").stdout.contains("USAGE: maestro import [<file>]"))
    }

    @Test(
        "on a terminal, a progress bar is drawn on stderr and cleared",
        .enabled(if: FileManager.default.fileExists(atPath: "/usr/bin/script")))
    func progressBarOnTerminal() throws {
        try writeOldData()
        let maestro = CLIProcess.buildDirectory.appendingPathComponent("maestro").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        // script(1) runs the command on a pseudo-terminal and copies what it shows.
        process.arguments = ["-qec", "\(maestro) migrate --from \(fixture.directory.path)", "/dev/null"]
        process.environment = fixture.environment
        process.standardInput = FileHandle.nullDevice
        let output = try ProcessStart.serialized {
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            return output
        }
        let shown = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(shown)")
        // 17 tasks, 8 sessions and 1 project.
        #expect(shown.contains("\rimporting [##############################] 26/26"), "\(shown)")
        #expect(shown.contains("\rreading  [") && shown.contains("\r\u{1B}[2K"))
    }

    @Test("imports emit task:created and session:spawn events so live dashboards see them")
    func events() throws {
        try writeOldData()
        #expect(try fixture.migrate().status == 0)
        let events = try fixture.connection.events(in: fixture.scope("proj_s"), after: "0-0", count: 1000)
        #expect(events.filter { $0.type == .taskCreated }.count == 7)
        #expect(events.filter { $0.type == .sessionSpawn }.count == 8)
        #expect(!events.contains { $0.payload.contains("initialPrompt") }, "events do not carry extra data")
    }
}
