import Foundation
import MaestroDomain
import MaestroMigration
import MaestroStore
import ProcessTestSupport
import RedisClient
import RedisTestSupport
import Testing

/// `maestro export` then `maestro import` into a fresh redis-server: the project comes back exactly.
@Suite("maestro export and import")
final class ExportImportTests {
    let source: MigrationFixture
    let scope: ProjectScope
    var tokens: [String: String] = [:]

    init() async throws {
        source = try await MigrationFixture()
        scope = try ProjectScope(projectId: "proj_rt")
    }

    /// A project with every kind of state: subtasks, progress with notes in several orders, lifecycles with
    /// an error, a deleted task, an archived task, migrated records with extra data and legacy status, and the
    /// project record.
    func buildProject() throws {
        let redis = source.connection
        _ = try redis.run(
            ImportProject(
                scope: scope,
                project: ProjectRecord(
                    id: "proj_rt", name: "Round trip", description: "All of it", createdAt: "2023-01-01T00:00:00.000Z",
                    updatedAt: "2023-01-02T00:00:00.000Z", extra: ["workingDir": .string("/src")])))
        _ = try redis.run(CreateTask(scope: scope, taskId: "t_parent", title: "Parent", description: "Two\nlines"))
        _ = try redis.run(
            CreateTask(scope: scope, taskId: "t_child", title: "Child", priority: .urgent, parentId: "t_parent"))
        _ = try redis.run(CreateTask(scope: scope, taskId: "t_gone", title: "Deleted"))
        _ = try redis.run(CreateTask(scope: scope, taskId: "t_third", title: "Third"))
        _ = try redis.run(DeleteTask(scope: scope, taskId: "t_gone"))
        for (id, tasks) in [("s_one", ["t_third", "t_parent"]), ("s_two", ["t_parent", "t_child"])] {
            let credentials = SessionCredentials(sessionId: id, token: RandomIdentifier.token())
            tokens[id] = credentials.token
            _ = try redis.run(
                SpawnSession(
                    scope: scope, credentials: credentials, name: "Agent \(id)", spawnSource: .ui, host: "host-1",
                    pid: 4242, taskIds: tasks))
        }
        let one = SessionCredentials(sessionId: "s_one", token: tokens["s_one"]!)
        let two = SessionCredentials(sessionId: "s_two", token: tokens["s_two"]!)
        _ = try redis.run(UpdateProgress(scope: scope, session: one, taskId: "t_parent", status: .working))
        _ = try redis.run(
            UpdateProgress(scope: scope, session: one, taskId: "t_parent", status: .blocked, notes: "Need the key"))
        _ = try redis.run(CreateTask(scope: scope, taskId: "t_done", title: "Done long ago"))
        _ = try redis.run(QueueTasks(scope: scope, session: one, taskIds: ["t_done"]))
        _ = try redis.run(UpdateProgress(scope: scope, session: one, taskId: "t_done", status: .working))
        _ = try redis.run(
            UpdateProgress(scope: scope, session: one, taskId: "t_done", status: .completed, notes: "Shipped"))
        _ = try redis.run(UpdateTask(scope: scope, taskId: "t_done", status: .completed))
        _ = try redis.send(
            RedisCommand("HSET", scope.keyPrefix + "task:t_done", "updatedAt", "2020-01-01T00:00:00.000Z"))
        #expect(try redis.run(ArchiveSweep(scope: scope, batch: 100)).archived == ["t_done"])
        _ = try redis.run(UpdateProgress(scope: scope, session: two, taskId: "t_child", status: .working))
        _ = try redis.run(UpdateProgress(scope: scope, session: two, taskId: "t_child", status: .completed))
        _ = try redis.run(UpdateTask(scope: scope, taskId: "t_child", status: .completed))
        _ = try redis.run(ChangeLifecycle(scope: scope, sessionId: "s_one", target: .active))
        _ = try redis.run(ChangeLifecycle(scope: scope, sessionId: "s_two", target: .failed, error: "exit 3"))
        _ = try redis.run(
            ImportTask(
                scope: scope,
                task: TaskRecord(
                    id: "t_old", projectId: "proj_rt", title: "Migrated", status: .inprogress,
                    sessionIds: ["s_old", "s_one"],
                    sessionProgress: [
                        SessionProgress(
                            sessionId: "s_old", status: .needsInput, lastUpdated: "2022-05-05T05:05:05.005Z",
                            notes: "A or B?"),
                        SessionProgress(
                            sessionId: "s_one", status: .cancelled, lastUpdated: "2022-05-05T05:05:05.005Z"),
                    ],
                    createdAt: "2022-01-01T00:00:00.000Z", updatedAt: "2022-05-05T05:05:05.005Z", version: 7,
                    extra: [
                        "timeline": .array([.object(["at": .integer(1_650_000_000_000), "x": .double(0.25)])]),
                        "prompt": .string("é \"quoted\"\n"),
                    ])))
        _ = try redis.run(
            ImportSession(
                scope: scope,
                session: SessionRecord(
                    id: "s_old", name: "Old agent", status: .stopped, legacyStatus: "idle", taskIds: ["t_old"],
                    projectId: "proj_rt", spawnSource: .session, createdAt: "2022-01-01T00:00:00.000Z",
                    updatedAt: "2022-05-05T05:05:05.005Z", extra: ["env": .object(["A": .string("1")])])))
    }

    /// The export's content, without when it was made and the stream position.
    func content(_ export: ProjectExport) -> ProjectExport {
        var export = export
        export.exportedAt = ""
        export.cursor = ""
        return export
    }

    func exportFile(from fixture: MigrationFixture, project: String = "proj_rt") throws -> (ProjectExport, URL) {
        let file = fixture.directory.appendingPathComponent("export-\(UUID()).json")
        let result = try fixture.cli("export", "--project", project, "--output", file.path)
        #expect(result.status == 0, "\(result.stderr)")
        return (try JSONDecoder().decode(ProjectExport.self, from: Data(contentsOf: file)), file)
    }

    @Test("export → import into a fresh Redis → export again: identical, reads identical, tokens still work")
    func roundTrip() async throws {
        try buildProject()
        let (exported, file) = try exportFile(from: source)
        #expect(exported.tasks.map(\.id) == ["t_parent", "t_child", "t_third", "t_done", "t_old"])
        #expect(exported.tasks.map(\.archived) == [false, false, false, true, false])
        #expect(exported.sessions.map(\.session.id) == ["s_one", "s_two", "s_old"])
        #expect(exported.sessions.first?.tokenHash?.count == 40)
        #expect(!(try String(contentsOf: file, encoding: .utf8)).contains(tokens["s_one"]!), "no plaintext token")
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        let target = try await MigrationFixture()
        let imported = try target.cli("import", file.path)
        #expect(imported.status == 0, "\(imported.stdout)\(imported.stderr)")
        let (again, _) = try exportFile(from: target)
        #expect(content(again) == content(exported))
        for task in exported.tasks { #expect(try target.task("proj_rt", task.id) == source.task("proj_rt", task.id)) }
        for session in exported.sessions {
            #expect(try target.session("proj_rt", session.session.id) == source.session("proj_rt", session.session.id))
        }
        for status in TaskStatus.allCases {
            let list = { (fixture: MigrationFixture) in
                try fixture.connection.run(ListTasks(scope: self.scope, statuses: [status])).tasks
            }
            #expect(try list(target) == list(source), "\(status)")
        }
        let sessions = { (fixture: MigrationFixture) in
            try fixture.connection.run(ListSessions(scope: self.scope)).sessions
        }
        #expect(try sessions(target) == sessions(source))
        let archive = { (fixture: MigrationFixture) -> NSArray? in
            let page = try fixture.connection.run(ListTaskSummaries(scope: self.scope, archived: true))
            return (try JSONSerialization.jsonObject(with: Data(page)) as? [String: Any])?["tasks"] as? NSArray
        }
        let (archivedHere, archivedThere) = (try archive(target), try archive(source))
        #expect(archivedHere?.count == 1 && archivedHere == archivedThere, "it came back archived, not live")

        let agent = CLIProcess(
            environment: target.environment.merging([
                "MAESTRO_PROJECT_ID": "proj_rt", "MAESTRO_SESSION_ID": "s_one",
                "MAESTRO_SESSION_TOKEN": tokens["s_one"]!,
            ]) { $1 })
        let update = try agent.run("task", "update", "t_parent", "--status", "working")
        #expect(update.status == 0, "the session's old token works after the import: \(update.stderr)")
        #expect(try target.task("proj_rt", "t_parent").version == source.task("proj_rt", "t_parent").version + 1)

        let before = try target.dump()
        let repeated = try target.cli("import", file.path)
        #expect(repeated.status == 0 && repeated.stdout.contains("skipped"), "\(repeated.stdout)")
        #expect(try target.dump() == before, "nothing older overwrites what changed since")
    }

    @Test("re-import is unchanged; --project copies; --dry-run writes nothing; --force replaces newer records")
    func importOptions() throws {
        try buildProject()
        let (_, file) = try exportFile(from: source)
        let unchanged = try source.cli("import", file.path, "--json")
        let report = try JSONDecoder().decode(MigrationReport.self, from: Data(unchanged.stdout.utf8))
        #expect(report.tasks.unchanged == 5 && report.sessions.unchanged == 3 && report.projects.unchanged == 1)

        let copy = try source.cli("import", file.path, "--project", "proj_copy")
        #expect(copy.status == 0, "\(copy.stderr)")
        let copied = try source.task("proj_copy", "t_old")
        let original = try source.task("proj_rt", "t_old")
        #expect(copied.projectId == "proj_copy" && copied.extra == original.extra && copied.extra != nil)

        let before = try source.dump()
        let dry = try source.cli("import", file.path, "--project", "proj_dry", "--dry-run", "--json")
        let dryReport = try JSONDecoder().decode(MigrationReport.self, from: Data(dry.stdout.utf8))
        #expect(dry.status == 0 && dryReport.tasks.created == 5 && dryReport.dryRun)
        #expect(try source.dump() == before)

        _ = try source.connection.run(UpdateTask(scope: scope, taskId: "t_third", title: "Changed since"))
        let kept = try source.cli("import", file.path, "--json")
        let keptReport = try JSONDecoder().decode(MigrationReport.self, from: Data(kept.stdout.utf8))
        #expect(keptReport.skipped.map(\.id) == ["t_third"])
        #expect(try source.task("proj_rt", "t_third").title == "Changed since")
        let version = try source.task("proj_rt", "t_third").version
        #expect(try source.cli("import", file.path, "--force").status == 0)
        let forced = try source.task("proj_rt", "t_third")
        #expect(forced.title == "Third" && forced.version == version + 1, "versions never go back")
    }

    @Test("bad import input: not an export is refused whole (64); a bad record is reported, the rest imported (8)")
    func badInput() async throws {
        try buildProject()
        let (_, file) = try exportFile(from: source)
        let target = try await MigrationFixture()
        try target.write("junk.json", "{\"format\": ")
        try target.write("other.json", #"{"hello":"world"}"#)
        try target.write(
            "future.json", #"{"format":"maestro-export","formatVersion":2,"projectId":"p","tasks":[],"sessions":[]}"#)
        for name in ["junk.json", "other.json", "future.json", "missing.json"] {
            let result = try target.cli("import", target.directory.appendingPathComponent(name).path)
            #expect(result.status == 64, "\(name): \(result.stderr)")
        }
        #expect(
            try target.cli("import", target.directory.appendingPathComponent("junk.json").path).stderr
                .contains("line 1, column 12"))
        var json = try String(contentsOf: file, encoding: .utf8)
        json = json.replacingOccurrences(of: "\"title\" : \"Third\"", with: "\"title\" : \"\"")
        json = json.replacingOccurrences(of: "\"priority\" : \"urgent\"", with: "\"priority\" : \"extreme\"")
        try target.write("damaged.json", json)
        let result = try target.cli("import", target.directory.appendingPathComponent("damaged.json").path, "--json")
        #expect(result.status == 8)
        let report = try JSONDecoder().decode(MigrationReport.self, from: Data(result.stdout.utf8))
        #expect(report.tasks.failed == 2 && report.tasks.created == 3 && report.failures.count == 2)
        #expect(report.failures.contains { $0.id == "t_third" && $0.message.contains("title") })
        #expect(report.failures.contains { $0.path == "tasks[1]" })
        #expect(try target.task("proj_rt", "t_parent").title == "Parent")
    }

    @Test("import reads standard input when no file is given")
    func standardInput() async throws {
        try buildProject()
        let (_, file) = try exportFile(from: source)
        let target = try await MigrationFixture()
        let process = Process()
        process.executableURL = CLIProcess.buildDirectory.appendingPathComponent("maestro")
        process.arguments = ["import"]
        process.environment = target.environment
        process.standardInput = try FileHandle(forReadingFrom: file)
        process.standardOutput = FileHandle.nullDevice
        try ProcessStart.serialized { try process.run() }
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(try target.task("proj_rt", "t_old").extra?["prompt"] == .string("é \"quoted\"\n"))
    }
}
