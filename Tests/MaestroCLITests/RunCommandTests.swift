import Foundation
import MaestroDomain
import MaestroStore
import MaestroTestSupport
import ProcessTestSupport
import RedisClient
import RedisTestSupport
import Testing

/// `maestro run` as an agent container's entrypoint: real supervisor and agent processes, real Redis.
@Suite("maestro run")
final class RunCommandTests {
    let server: RedisTestServer
    let redis: RedisConnection
    let agent: SupervisedAgent
    let base: [String: String]
    let scope = try! ProjectScope(projectId: "run")

    init() async throws {
        server = try await RedisTestServer.start()
        redis = server.connect()
        try FunctionLibrary.install(on: redis)
        agent = try SupervisedAgent()
        // The supervisor's own URL and the one for agents differ (same Redis), so the tests see which is passed on.
        base = [
            "MAESTRO_REDIS_URL": server.url, "MAESTRO_PROJECT_ID": "run", "PATH": "/usr/bin:/bin",
            "MAESTRO_USER_TOKEN": "mut_not_for_agents_0123456789", "MAESTRO_AGENT_REDIS_URL": Self.agentURL(server),
        ]
    }

    /// The test Redis under the name `localhost`: another URL for the same server.
    static func agentURL(_ server: RedisTestServer) -> String { "redis://localhost:\(server.port)" }

    deinit {
        agent.remove()
        server.stop()
    }

    func events() throws -> [String] {
        try SupervisedAgent.events(project: "run", on: redis).map(\.type)
    }

    func session(_ id: String) throws -> [String: String] {
        try SupervisedAgent.session(id, project: "run", on: redis)
    }

    /// The session id a supervisor announced on stderr.
    func announcedSession(_ stderr: String) -> String? {
        guard let range = stderr.range(of: #"session (sess_[a-z0-9]+)"#, options: .regularExpression) else {
            return nil
        }
        return String(stderr[range].dropFirst("session ".count))
    }

    func start(_ options: [String] = [], environment: [String: String]? = nil) throws -> CLIProcess.Running {
        let words = ["run", "--heartbeat-ttl", "3", "--stop-grace", "2"] + options + ["--"] + agent.command
        return try CLIProcess(environment: environment ?? base).start(bytes: words.map { Array($0.utf8) })
    }

    @Test("exit 0 → stopped; the agent gets the session context (not the user token) and the tasks are queued")
    func normalExit() async throws {
        let taskId = try await CLIProcess(environment: base).runDetached("task", "create", "Run me").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let otherTaskId = try await CLIProcess(environment: base).runDetached("task", "create", "And me").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let running = try start(["--task", taskId, "--task", otherTaskId, "--name", "agent-1"])
        #expect(await pollUntil { agent.pids.count == 1 && !agent.environment.isEmpty })
        let environment = agent.environment
        let sessionId = try #require(environment["MAESTRO_SESSION_ID"])
        #expect(environment["MAESTRO_SESSION_TOKEN"]?.hasPrefix("mst_") == true)
        #expect(environment["MAESTRO_PROJECT_ID"] == "run")
        #expect(environment["MAESTRO_REDIS_URL"] == Self.agentURL(server), "the agent URL, not the supervisor's")
        #expect(environment["MAESTRO_AGENT_REDIS_URL"] == nil)
        #expect(environment["MAESTRO_USER_TOKEN"] == nil)
        #expect(environment["MAESTRO_TASK_ID"] == taskId, "the first --task")
        #expect(environment["MAESTRO_TASK_IDS"] == "\(taskId) \(otherTaskId)")
        #expect(await pollUntil { (try? session(sessionId)["status"]) == "active" })
        let active = try session(sessionId)
        #expect(active["pid"] == String(agent.pids[0]))
        #expect(active["host"] != nil && active["lastHeartbeat"] != nil && active["name"] == "agent-1")

        try agent.exit(with: 0)
        let result = await running.finished()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try session(sessionId)["status"] == "stopped")
        #expect(try session(sessionId)["supervisor"] == nil)
        #expect(try redis.send(RedisCommand("ZSCORE", "mae:{run}:leases", sessionId)) == .null)
        #expect(
            try events() == [
                "task:created", "task:created", "session:spawn", "task:session_status", "task:session_status",
                "session:active", "session:stopped",
            ])
        for id in [taskId, otherTaskId] {
            let task = try redis.run(GetTask(scope: scope, taskId: id))
            #expect(task.sessionProgress.first?.sessionId == sessionId && task.sessionProgress.first?.status == .queued)
        }
    }

    @Test("exit 3 → failed with the code recorded, and the supervisor exits 3")
    func failingExit() async throws {
        let running = try start()
        #expect(await pollUntil { agent.pids.count == 1 })
        try agent.exit(with: 3)
        let result = await running.finished()
        #expect(result.status == 3)
        let sessionId = try #require(announcedSession(result.stderr))
        #expect(try session(sessionId)["status"] == "failed")
        #expect(try session(sessionId)["error"] == "exited with code 3")
        #expect(try events() == ["session:spawn", "session:active", "session:failed"])
    }

    @Test("a command that cannot start → failed with the reason, exit 127")
    func missingBinary() async throws {
        let result = try await CLIProcess(environment: base).runDetached("run", "--", "/nonexistent/agent", "--flag")
        #expect(result.status == 127)
        #expect(result.stderr.contains("cannot start '/nonexistent/agent': No such file or directory"))
        let created = try #require(SupervisedAgent.events(project: "run", on: redis).last)
        #expect(created.type == "session:failed")
        #expect(created.payload.contains("cannot start"))
        #expect(try events() == ["session:spawn", "session:failed"])
    }

    @Test("SIGTERM to the supervisor is forwarded; the agent leaving on it is a normal stop")
    func forwardsSIGTERM() async throws {
        let running = try start()
        #expect(await pollUntil { agent.pids.count == 1 })
        let sessionId = try #require(announcedSession(running.stderr))
        #expect(await pollUntil { (try? session(sessionId)["status"]) == "active" })
        #expect(await pollUntil { !agent.environment.isEmpty })
        #expect(agent.environment["MAESTRO_TASK_ID"] == nil && agent.environment["MAESTRO_TASK_IDS"] == nil, "no task")
        running.signal(SIGTERM)
        let result = await running.finished()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(agent.terminations == 1)
        #expect(!SupervisedAgent.isAlive(agent.pids[0]))
        #expect(try session(sessionId)["status"] == "stopped")
    }

    @Test("a user's stop ends the agent (SIGTERM); a restart starts a new one; events in order")
    func stopAndRestart() async throws {
        let running = try start()
        #expect(await pollUntil { agent.pids.count == 1 })
        let sessionId = try #require(announcedSession(running.stderr))
        #expect(await pollUntil { (try? session(sessionId)["status"]) == "active" })

        _ = try redis.run(ChangeLifecycle(scope: scope, sessionId: sessionId, target: .stopped))
        #expect(await pollUntil { !SupervisedAgent.isAlive(agent.pids[0]) })
        #expect(agent.terminations == 1)
        #expect(try session(sessionId)["status"] == "stopped")

        _ = try redis.run(ChangeLifecycle(scope: scope, sessionId: sessionId, target: .spawning))
        #expect(await pollUntil { agent.pids.count == 2 && (try? session(sessionId)["status"]) == "active" })
        #expect(agent.pids[0] != agent.pids[1] && SupervisedAgent.isAlive(agent.pids[1]))
        #expect(try session(sessionId)["pid"] == String(agent.pids[1]))

        running.signal(SIGTERM)
        #expect(await running.finished().status == 0)
        #expect(
            try events() == [
                "session:spawn", "session:active", "session:stopped", "session:spawn", "session:active",
                "session:stopped",
            ])
    }

    @Test("an agent that ignores SIGTERM is killed after the grace period when a user stops it")
    func killsAfterGrace() async throws {
        let stubborn = [
            "sh", "-c", "trap '' TERM; echo $$ > '\(agent.directory.path)/pids'; while :; do sleep 0.05; done",
        ]
        let words = ["run", "--heartbeat-ttl", "3", "--stop-grace", "1", "--"] + stubborn
        let running = try CLIProcess(environment: base).start(bytes: words.map { Array($0.utf8) })
        #expect(await pollUntil { agent.pids.count == 1 })
        let sessionId = try #require(announcedSession(running.stderr))
        #expect(await pollUntil { (try? session(sessionId)["status"]) == "active" })
        _ = try redis.run(ChangeLifecycle(scope: scope, sessionId: sessionId, target: .stopped))
        #expect(await pollUntil { !SupervisedAgent.isAlive(agent.pids[0]) })
        #expect(running.stderr.contains("signal 9"))
        running.signal(SIGTERM)
        #expect(await running.finished().status == 0)
    }

    @Test("--session takes over a session spawned elsewhere, its token and tasks; a wrong token or a live one fails")
    func takeOver() async throws {
        let taskId = try await CLIProcess(environment: base).runDetached("task", "create", "Queued elsewhere").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let spawned = try await CLIProcess(environment: base).runDetached(
            "session", "create", "--name", "from-dashboard", "--task", taskId)
        var environment = base
        for line in spawned.stdout.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            environment[parts[0]] = parts[1]
        }
        let sessionId = try #require(environment["MAESTRO_SESSION_ID"])

        var wrong = environment
        wrong["MAESTRO_SESSION_TOKEN"] = "mst_wrong_token_0123456789abcdef"
        let refused = try await CLIProcess(environment: wrong).runDetached("run", "--session", sessionId, "--", "true")
        #expect(refused.status == 5)
        #expect(try session(sessionId)["status"] == "spawning")

        let running = try start(["--session", sessionId], environment: environment)
        #expect(await pollUntil { (try? session(sessionId)["status"]) == "active" })
        #expect(await pollUntil { !agent.environment.isEmpty }, "the agent writes its environment once it runs")
        #expect(agent.environment["MAESTRO_SESSION_ID"] == sessionId)
        #expect(agent.environment["MAESTRO_TASK_ID"] == taskId, "no --task: the session's first task")
        #expect(agent.environment["MAESTRO_TASK_IDS"] == taskId)

        let second = try await CLIProcess(environment: environment).runDetached(
            "run", "--session", sessionId, "--", "true")
        #expect(second.status == 3)
        #expect(second.stderr.contains("only a spawning session can be taken over"))

        running.signal(SIGTERM)
        #expect(await running.finished().status == 0)
    }

    @Test("bad usage is refused before anything is spawned")
    func badUsage() async throws {
        for arguments in [
            ["run"], ["run", "--heartbeat-ttl", "0", "--", "true"], ["run", "--stop-grace", "x", "--", "true"],
            ["run", "--session", "bad id", "--", "true"], ["run", "--project", "{p}", "--", "true"],
        ] {
            let result = try await CLIProcess(environment: base).runDetached(bytes: arguments.map { Array($0.utf8) })
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
        }
        var environment = base
        environment["MAESTRO_HEARTBEAT_TTL"] = "soon"
        #expect(try await CLIProcess(environment: environment).runDetached("run", "--", "true").status == 64)
        // Nothing to tell the agent: its own Redis credentials are never handed on.
        var unreachable = base
        unreachable["MAESTRO_AGENT_REDIS_URL"] = nil
        let refused = try await CLIProcess(environment: unreachable).runDetached("run", "--", "true")
        #expect(refused.status == 64 && refused.stderr.contains("MAESTRO_AGENT_REDIS_URL"), "\(refused.stderr)")
        #expect(try redis.send(RedisCommand("EXISTS", "mae:{run}:sessions")).integer == 0)
    }

    @Test("help explains the command and its exit codes")
    func help() async throws {
        let result = try await CLIProcess(environment: base).runDetached("run", "--help")
        #expect(result.status == 0)
        #expect(result.stdout.contains("--heartbeat-ttl") && result.stdout.contains("127"))
    }
}
