import Foundation
import MaestroDomain
import MaestroStore
import ProcessTestSupport
import RedisClient
import RedisTestSupport
import Testing

/// Black-box runs of the built `maestro` binary against a private redis-server.
@Suite("maestro CLI")
final class CLITests {
    let server: RedisTestServer
    let base: [String: String]

    init() async throws {
        server = try await RedisTestServer.start()
        try FunctionLibrary.install(on: server.connect())
        base = ["MAESTRO_REDIS_URL": server.url, "MAESTRO_PROJECT_ID": "cli", "PATH": "/usr/bin:/bin"]
    }

    deinit { server.stop() }

    /// A new session's environment, from `maestro session create`.
    func sessionEnvironment() throws -> [String: String] {
        let created = try CLIProcess(environment: base).run("session", "create", "--name", "tester")
        #expect(created.status == 0, "\(created.stderr)")
        var environment = base
        for line in created.stdout.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            environment[parts[0]] = parts[1]
        }
        #expect(environment["MAESTRO_SESSION_TOKEN"]?.hasPrefix("mst_") == true)
        return environment
    }

    func createTask(_ title: String = "A task") throws -> String {
        let created = try CLIProcess(environment: base).run("task", "create", title)
        #expect(created.status == 0, "\(created.stderr)")
        return created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func show(_ taskId: String) throws -> TaskRecord {
        let shown = try CLIProcess(environment: base).run("task", "show", taskId, "--json")
        #expect(shown.status == 0, "\(shown.stderr)")
        return try JSONDecoder().decode(TaskRecord.self, from: Data(shown.stdout.utf8))
    }

    func streamLength() throws -> Int64? {
        try server.connect().send(RedisCommand("XLEN", "mae:{cli}:events")).integer
    }

    @Test("without a session, queue and update print exactly the spec's message and exit 2")
    func noSession() throws {
        let taskId = try createTask()
        for arguments in [["task", "queue", taskId], ["task", "update", taskId, "--status", "working"]] {
            let result = try CLIProcess(environment: base).run(bytes: arguments.map { Array($0.utf8) })
            #expect(result.status == 2)
            #expect(result.stderr == "No session found. This command must be run from a session.\n")
            #expect(result.stdout.isEmpty)
        }
    }

    @Test("task answer: exit 9 without an answer; --wait gets the user's answer when it comes; --timeout ends the wait")
    func answer() async throws {
        let taskId = try createTask()
        let cli = CLIProcess(environment: try sessionEnvironment())
        let sessionId = cli.environment["MAESTRO_SESSION_ID"]!
        _ = try await cli.runDetached("task", "queue", taskId)
        _ = try await cli.runDetached("task", "update", taskId, "--status", "working")
        _ = try await cli.runDetached("task", "update", taskId, "--status", "needs_input", "--notes", "Which port?")

        let none = try await cli.runDetached("task", "answer", taskId)
        #expect(none.status == 9 && none.stderr.contains("no answer yet"), "\(none.stderr)")
        #expect(try await cli.runDetached("task", "answer", taskId, "--timeout", "1").status == 64)
        let timedOut = try await cli.runDetached("task", "answer", taskId, "--wait", "--timeout", "1")
        #expect(timedOut.status == 9 && timedOut.stderr.contains("within"))

        let waiting = try cli.start("task", "answer", taskId, "--wait")
        try await Task.sleep(for: .milliseconds(300))
        let scope = try ProjectScope(projectId: "cli")
        _ = try server.connect().run(AnswerInput(scope: scope, taskId: taskId, sessionId: sessionId, answer: "8080"))
        let answered = await waiting.finished(timeout: .seconds(20))
        #expect(answered.status == 0 && answered.stdout == "8080\n", "\(answered.stderr)")
        #expect(try show(taskId).progress(of: sessionId)?.status == .needsInput, "answering changes no status")
        let json = try await cli.runDetached("task", "answer", taskId, "--json")
        #expect(json.stdout.contains(#""answer":"8080""#))
        let stranger = CLIProcess(environment: try sessionEnvironment())
        #expect(try await stranger.runDetached("task", "answer", taskId).status == 4)
    }

    @Test("queue → working (task starts) → blocked with notes → working → completed")
    func agentFlow() throws {
        let taskId = try createTask()
        let cli = CLIProcess(environment: try sessionEnvironment())
        let sessionId = cli.environment["MAESTRO_SESSION_ID"]!
        #expect(try cli.run("task", "queue", taskId).stdout == "\(taskId): queued\n")
        #expect(try show(taskId).progress(of: sessionId)?.status == .queued)

        let working = try cli.run("task", "update", taskId, "--status", "working")
        #expect(working.status == 0 && working.stdout.contains("task is now inprogress"), "\(working.stderr)")
        #expect(try show(taskId).status == .inprogress)

        let blocked = try cli.run("task", "update", taskId, "--status", "blocked", "--notes", "Need API key")
        #expect(blocked.status == 0 && blocked.stderr.isEmpty)
        let entry = try show(taskId).progress(of: sessionId)
        #expect(entry?.status == .blocked && entry?.notes == "Need API key")

        #expect(try cli.run("task", "update", taskId, "--status", "working").status == 0)
        #expect(try cli.run("task", "update", taskId, "--status", "completed").status == 0)
        let done = try show(taskId)
        #expect(done.progress(of: sessionId)?.status == .completed && done.progress(of: sessionId)?.notes == nil)
        #expect(done.status == .inprogress, "the task does not complete by itself")
        #expect(done.aggregateStatus == .allCompleted && done.suggestedStatus == .completed)
        let shown = try CLIProcess(environment: base).run("task", "show", taskId)
        #expect(shown.stdout.contains("suggested: completed (every session has finished; a session completed it)"))
    }

    @Test("task list --stale lists work no session reported on for staleAfterSeconds; task show says since when")
    func staleWork() throws {
        let taskId = try createTask()
        let cli = CLIProcess(environment: try sessionEnvironment())
        let sessionId = cli.environment["MAESTRO_SESSION_ID"]!
        #expect(try cli.run("task", "queue", taskId).status == 0)
        #expect(try cli.run("task", "update", taskId, "--status", "working").status == 0)
        let listed = { try CLIProcess(environment: self.base).run("task", "list", "--stale") }
        #expect(try listed().stdout.contains(taskId) == false)
        // An hour without a report, as the stale watch sees it; then the server's sweep.
        let connection = server.connect()
        _ = try connection.send(
            RedisCommand("ZADD", "mae:{cli}:stale-due", "XX", "1000", "\(taskId) \(sessionId)"))
        _ = try connection.run(SweepStale(scope: try ProjectScope(projectId: "cli")))
        let stale = try listed()
        #expect(stale.status == 0 && stale.stdout.contains(taskId) && stale.stdout.contains("stale"), "\(stale.stdout)")
        let shown = try CLIProcess(environment: base).run("task", "show", taskId)
        #expect(shown.stdout.contains("STALE since 1970-01-01T00:30:01.000Z"), "\(shown.stdout)")
        let misuse = try CLIProcess(environment: base).run("task", "list", "--stale", "--status", "todo")
        #expect(misuse.status == 64 && misuse.stderr.contains("--limit only"))
        #expect(try cli.run("task", "update", taskId, "--status", "working").status == 0)
        #expect(try listed().stdout.contains(taskId) == false, "a report clears it")
    }

    @Test("blocked without notes warns but goes through")
    func blockedWithoutNotesWarns() throws {
        let taskId = try createTask()
        let cli = CLIProcess(environment: try sessionEnvironment())
        _ = try cli.run("task", "queue", taskId)
        _ = try cli.run("task", "update", taskId, "--status", "working")
        let result = try cli.run("task", "update", taskId, "--status", "blocked")
        #expect(result.status == 0 && result.stderr.contains("warning: --status blocked should explain why"))
    }

    @Test("an invalid transition is refused with the current state and the allowed targets, exit 3")
    func invalidTransition() throws {
        let taskId = try createTask()
        let cli = CLIProcess(environment: try sessionEnvironment())
        _ = try cli.run("task", "queue", taskId)
        let before = try streamLength()
        let result = try cli.run("task", "update", taskId, "--status", "completed")
        #expect(result.status == 3)
        #expect(result.stderr.contains("from queued to completed; allowed from queued: working, cancelled, queued"))
        #expect(try streamLength() == before)
        let notQueued = try cli.run("task", "update", try createTask(), "--status", "working")
        #expect(notQueued.status == 3 && notQueued.stderr.contains("queue it first"))
    }

    @Test("a wrong or missing token is refused, exit 5, nothing changed")
    func wrongToken() throws {
        let taskId = try createTask()
        var environment = try sessionEnvironment()
        _ = try CLIProcess(environment: environment).run("task", "queue", taskId)
        let before = try show(taskId)
        environment["MAESTRO_SESSION_TOKEN"] = "mst_" + String(repeating: "0", count: 64)
        let wrong = try CLIProcess(environment: environment).run("task", "update", taskId, "--status", "working")
        #expect(wrong.status == 5 && wrong.stderr.contains("token does not match"))
        environment["MAESTRO_SESSION_TOKEN"] = nil
        let missing = try CLIProcess(environment: environment).run("task", "update", taskId, "--status", "working")
        #expect(missing.status == 5 && missing.stderr.contains("MAESTRO_SESSION_TOKEN"))
        #expect(try show(taskId) == before)
    }

    @Test("bad ids, notes and options are refused with exit 64 and change nothing")
    func badInput() throws {
        let taskId = try createTask()
        let cli = CLIProcess(environment: try sessionEnvironment())
        _ = try cli.run("task", "queue", taskId)
        let before = try show(taskId)
        let length = try streamLength()
        let cases: [[[UInt8]]] = [
            ["task", "update", "a{b}", "--status", "working"].map { Array($0.utf8) },
            ["task", "update", "a b", "--status", "working"].map { Array($0.utf8) },
            ["task", "update", "a\nb", "--status", "working"].map { Array($0.utf8) },
            ["task", "update", taskId, "--status", "working", "--notes", String(repeating: "n", count: 5000)]
                .map { Array($0.utf8) },
            ["task", "update", taskId, "--status", "working", "--notes"].map { Array($0.utf8) } + [[0x62, 0xFF, 0x61]],
            ["task", "update", taskId, "--status", "done"].map { Array($0.utf8) },
            ["task", "update", taskId, "--status", "working", "--bogus"].map { Array($0.utf8) },
            ["task", "queue", "ok", "bad}id"].map { Array($0.utf8) },
        ]
        for arguments in cases {
            let result = try cli.run(bytes: arguments)
            #expect(result.status == 64, "\(arguments.map { String(decoding: $0, as: UTF8.self) }): \(result.stderr)")
            #expect(result.stderr.hasPrefix("error: "))
        }
        #expect(try show(taskId) == before)
        #expect(try streamLength() == length)
    }

    @Test("a retried update with the same idempotency key applies once")
    func idempotencyKey() throws {
        let taskId = try createTask()
        let cli = CLIProcess(environment: try sessionEnvironment())
        _ = try cli.run("task", "queue", taskId)
        let first = try cli.run("task", "update", taskId, "--status", "working", "--idempotency-key", "run-42")
        let length = try streamLength()
        let again = try cli.run("task", "update", taskId, "--status", "working", "--idempotency-key", "run-42")
        #expect(first.status == 0 && again.status == 0 && first.stdout == again.stdout)
        #expect(try streamLength() == length)
    }

    @Test("create, list with a status filter, and JSON in the spec's field names")
    func createAndList() throws {
        let parent = try createTask("Parent")
        let created = try CLIProcess(environment: base).run(
            "task", "create", "Child", "--parent", parent, "--priority", "urgent", "--description", "Two\nlines",
            "--json")
        #expect(created.status == 0, "\(created.stderr)")
        let child = try JSONDecoder().decode(TaskRecord.self, from: Data(created.stdout.utf8))
        #expect(child.parentId == parent && child.priority == .urgent && child.description == "Two\nlines")
        let json = try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any]
        #expect(json?["sessionProgress"] is [Any] && json?["status"] as? String == "todo")

        let listed = try CLIProcess(environment: base).run("task", "list", "--status", "todo", "--json")
        let tasks = try JSONDecoder().decode([TaskRecord].self, from: Data(listed.stdout.utf8))
        #expect(tasks.contains { $0.id == child.id } && tasks.allSatisfy { $0.status == .todo })
        let text = try CLIProcess(environment: base).run("task", "list", "--status", "completed")
        #expect(text.status == 0 && !text.stdout.contains(child.id))
    }

    @Test("unreachable Redis fails within the connect timeout with exit 6")
    func unreachable() throws {
        var environment = base
        environment["MAESTRO_REDIS_URL"] = "redis://127.0.0.1:1"
        environment["MAESTRO_CONNECT_TIMEOUT"] = "0.5"
        let started = Date()
        let result = try CLIProcess(environment: environment).run("task", "show", "t1")
        #expect(result.status == 6 && result.stderr.contains("cannot reach Redis at 127.0.0.1:1"))
        #expect(Date().timeIntervalSince(started) < 5, "bounded by the connect timeout")
    }

    @Test("a missing function library is exit 7 with what to do")
    func missingLibrary() throws {
        _ = try server.connect().sendToEveryPrimary(RedisCommand("FUNCTION", "FLUSH"))
        let result = try CLIProcess(environment: base).run("task", "show", "t1")
        #expect(result.status == 7 && result.stderr.contains("maestro setup"))
        #expect(try CLIProcess(environment: base).run("setup", "--check").status == 7)
        #expect(try CLIProcess(environment: base).run("setup").status == 0)
        #expect(try CLIProcess(environment: base).run("setup", "--check").status == 0)
    }

    @Test(
        "every command has --help",
        arguments: [
            [], ["task"], ["task", "queue"], ["task", "update"], ["task", "show"], ["task", "list"],
            ["task", "create"],
            ["session"], ["session", "create"], ["setup"],
        ])
    func help(command: [String]) throws {
        let result = try CLIProcess(environment: base).run(bytes: (command + ["--help"]).map { Array($0.utf8) })
        #expect(result.status == 0 && result.stdout.hasPrefix("OVERVIEW: ") && result.stdout.contains("USAGE: maestro"))
    }
}
