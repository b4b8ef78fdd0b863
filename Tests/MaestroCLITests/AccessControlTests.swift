import Foundation
import MaestroDomain
import MaestroStore
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
        let supervised = try CLIProcess(environment: agent).run("run", "--heartbeat-ttl", "2", "--", "true")
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

    /// NOPERM from the ACL, or DEBUG's own refusal (it is off unless enable-debug-command allows it).
    static func isRefusal(_ text: String) -> Bool {
        text.contains("NOPERM") || text.contains("DEBUG command not allowed")
    }
}
