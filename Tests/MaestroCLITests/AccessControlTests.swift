import Foundation
import MaestroDomain
import MaestroStore
import ProcessTestSupport
import RedisClient
import RedisTestSupport
import Testing

/// The agent and admin users of deploy/users.acl, loaded into a real redis-server: everything an agent does works,
/// everything else is refused.
@Suite("maestro CLI with the least-privilege Redis users of deploy/users.acl")
struct AccessControlTests {
    @Test("the agent user can create, spawn, queue, update, read answers and run supervised; admin loads the library")
    func agentWorks() throws {
        let server = try RedisTestServer(arguments: DeployedUsers.serverArguments)
        defer { server.stop() }
        let admin = ["MAESTRO_REDIS_URL": DeployedUsers.url("maestro-admin", on: server), "PATH": "/usr/bin:/bin"]
        let agent = ["MAESTRO_REDIS_URL": DeployedUsers.url("maestro-agent", on: server), "PATH": "/usr/bin:/bin"]
        let refused = try CLIProcess(environment: agent).run("setup")
        #expect(refused.status == 5 && refused.stderr.contains("NOPERM"), "agents cannot load functions")
        #expect(try CLIProcess(environment: admin).run("setup").status == 0)
        let taskId = try CLIProcess(environment: agent).run("task", "create", "Via ACL").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        var session = agent
        for line in try CLIProcess(environment: agent).run("session", "create").stdout.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            session[parts[0]] = parts[1]
        }
        #expect(try CLIProcess(environment: session).run("task", "queue", taskId).status == 0)
        let update = try CLIProcess(environment: session).run("task", "update", taskId, "--status", "working")
        #expect(update.status == 0, "\(update.stderr)")
        let asked = try CLIProcess(environment: session).run(
            "task", "update", taskId, "--status", "needs_input", "--notes", "Which branch?")
        #expect(asked.status == 0, "\(asked.stderr)")
        _ = try DeployedUsers.connect("maestro-admin", to: server).run(
            AnswerInput(
                scope: try ProjectScope(), taskId: taskId, sessionId: session["MAESTRO_SESSION_ID"]!, answer: "main"))
        let answer = try CLIProcess(environment: session).run("task", "answer", taskId, "--wait", "--timeout", "5")
        #expect(answer.status == 0 && answer.stdout == "main\n", "\(answer.stderr)")
        #expect(try CLIProcess(environment: session).run("task", "show", taskId).status == 0)
        var runner = agent
        runner["MAESTRO_AGENT_REDIS_URL"] = agent["MAESTRO_REDIS_URL"]
        let supervised = try CLIProcess(environment: runner).run("run", "--heartbeat-ttl", "2", "--", "true")
        #expect(supervised.status == 0, "maestro run works as the agent user: \(supervised.stderr)")
        var stranger = session
        stranger["MAESTRO_REDIS_URL"] = "redis://maestro-agent:wrong@127.0.0.1:\(server.port)"
        #expect(try CLIProcess(environment: stranger).run("task", "show", taskId).status == 5)
    }

    @Test("the agent user is refused FLUSHALL, CONFIG, KEYS, FUNCTION LOAD/DELETE, SCRIPT, DEBUG and other keys")
    func agentRefused() throws {
        let server = try RedisTestServer(arguments: DeployedUsers.serverArguments)
        defer { server.stop() }
        try FunctionLibrary.install(on: DeployedUsers.connect("maestro-admin", to: server))
        let agent = try DeployedUsers.connect("maestro-agent", to: server)
        let denied: [[String]] = [
            ["FLUSHALL"], ["FLUSHDB"], ["CONFIG", "GET", "*"], ["CONFIG", "SET", "appendonly", "no"], ["KEYS", "*"],
            ["SCAN", "0"], ["FUNCTION", "LOAD", "REPLACE", "#!lua name=x\nredis.register_function('x', function() end)"],
            ["FUNCTION", "DELETE", "maestro"], ["FUNCTION", "FLUSH"], ["SCRIPT", "LOAD", "return 1"],
            ["EVAL", "return 1", "0"], ["DEBUG", "SLEEP", "0"], ["SHUTDOWN"], ["ACL", "LIST"], ["MONITOR"],
            ["SET", "other:key", "x"], ["GET", "other:key"], ["HSET", "secrets", "a", "b"],
            ["SPUBLISH", "other-channel", "x"], ["SSUBSCRIBE", "other-channel"], ["XRANGE", "other", "-", "+"],
            ["PUBLISH", "mae:{p}:live", "x"], ["PSUBSCRIBE", "mae:*"],
        ]
        for command in denied {
            let refused: Bool
            do {
                let reply = try agent.send(RedisCommand(arguments: command.map { Array($0.utf8) }))
                refused = Self.isRefusal("\(reply)")
            } catch let error as RedisError {
                refused = Self.isRefusal(error.message)
            }
            #expect(refused, "\(command.joined(separator: " ")) must be refused for the agent user")
        }
        #expect(try FunctionLibrary.loadedVersion(on: agent) == FunctionLibrary.version, "and the library is intact")
    }

    @Test("an agent user made by maestro setup --agent-user works in its project and is refused in every other")
    func projectAgentUser() throws {
        let server = try RedisTestServer(arguments: DeployedUsers.serverArguments)
        defer { server.stop() }
        let admin = ["MAESTRO_REDIS_URL": DeployedUsers.url("maestro-admin", on: server), "PATH": "/usr/bin:/bin"]
        #expect(try CLIProcess(environment: admin).run("setup").status == 0)
        let other = try ProjectScope(projectId: "other")
        let adminConnection = try DeployedUsers.connect("maestro-admin", to: server)
        let foreignTask = try adminConnection.run(CreateTask(scope: other, taskId: "secret", title: "Not yours")).task
        let created = try CLIProcess(environment: admin).run("setup", "--agent-user", "agent-p1", "--project", "p1")
        #expect(created.status == 0, "\(created.stderr)")
        let url = try #require(
            created.stdout.split(separator: "\n").first { $0.hasPrefix("MAESTRO_AGENT_REDIS_URL=") }?
                .dropFirst("MAESTRO_AGENT_REDIS_URL=".count))
        #expect(url.hasPrefix("redis://agent-p1:") && !created.stdout.contains("change-me"))

        // In its project: the whole agent path, supervised run included.
        var agent = ["MAESTRO_REDIS_URL": String(url), "MAESTRO_PROJECT_ID": "p1", "PATH": "/usr/bin:/bin"]
        let taskId = try CLIProcess(environment: agent).run("task", "create", "Mine").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        for line in try CLIProcess(environment: agent).run("session", "create").stdout.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            agent[parts[0]] = parts[1]
        }
        #expect(try CLIProcess(environment: agent).run("task", "queue", taskId).status == 0)
        #expect(try CLIProcess(environment: agent).run("task", "update", taskId, "--status", "working").status == 0)
        var runner = agent
        runner["MAESTRO_AGENT_REDIS_URL"] = String(url)
        let supervised = try CLIProcess(environment: runner).run("run", "--heartbeat-ttl", "2", "--", "true")
        #expect(supervised.status == 0, "\(supervised.stderr)")

        // Anywhere else: every command refused, and the other project unchanged.
        let before = try adminConnection.keysEverywhere("mae:{other}:*").sorted()
        var stranger = agent
        stranger["MAESTRO_PROJECT_ID"] = "other"
        for command in [["task", "show", foreignTask.id], ["task", "list"], ["task", "create", "Sneaked in"]] {
            let result = try CLIProcess(environment: stranger).run(bytes: command.map { Array($0.utf8) })
            #expect(result.status == 5 && result.stderr.contains("NOPERM"), "\(command): \(result.stderr)")
        }
        let connection = RedisConnection(try RedisConfiguration(url: String(url)))
        let denied: [[String]] = [
            ["HGETALL", "mae:{other}:task:secret"], ["HSET", "mae:{other}:task:secret", "status", "completed"],
            ["DEL", "mae:{other}:events"], ["XADD", "mae:{other}:events", "*", "type", "task:deleted"],
            ["XRANGE", "mae:{other}:events", "-", "+"], ["SPUBLISH", "mae:{other}:live", "1-1"],
            ["SSUBSCRIBE", "mae:{other}:live"], ["SREM", "mae:supervised-projects", "other"],
            ["DEL", "mae:supervised-projects"], ["GET", "mae:stream-ticket:x"], ["KEYS", "*"], ["FLUSHALL"],
            ["FCALL", "maestro_get_task", "1", "mae:{other}:events", FunctionLibrary.version, "secret"],
        ]
        for command in denied {
            let refused: Bool
            do {
                let reply = try connection.send(RedisCommand(arguments: command.map { Array($0.utf8) }))
                refused = Self.isRefusal("\(reply)")
            } catch let error as RedisError {
                refused = Self.isRefusal(error.message)
            }
            #expect(refused, "\(command.joined(separator: " ")) must be refused for a p1 agent")
        }
        #expect(try adminConnection.keysEverywhere("mae:{other}:*").sorted() == before)
        #expect(try adminConnection.run(GetTask(scope: other, taskId: "secret")) == foreignTask)
    }

    /// NOPERM from the ACL, or DEBUG's own refusal (it is off unless enable-debug-command allows it).
    static func isRefusal(_ text: String) -> Bool {
        text.contains("NOPERM") || text.contains("DEBUG command not allowed")
    }
}
