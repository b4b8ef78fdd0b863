import Foundation
import ProcessTestSupport
import RedisClient
import RedisTestSupport
import Testing

/// The server and relay users of deploy/users.acl, loaded into a real redis-server.
@Suite("maestro-server with the least-privilege Redis users of deploy/users.acl")
struct ServerAccessControlTests {
    @Test("maestro-server runs as the server user: checks, loads the library, serves writes, relays, sweeps")
    func serverUser() async throws {
        let redis = try RedisTestServer(arguments: DeployedUsers.serverArguments)
        defer { redis.stop() }
        let token = "mut_acl_test_0123456789abcdef"
        let server = try CLIProcess(
            environment: [
                "PATH": ServerBinaryTests.path, "MAESTRO_REDIS_URL": DeployedUsers.url("maestro-server", on: redis),
                "MAESTRO_USER_TOKEN": token, "LOG_LEVEL": "trace",
            ],
            executable: "maestro-server"
        ).start("--port", "0", "--data-dir", redis.directory.path)
        defer { server.signal(SIGKILL) }
        let port = try #require(try ServerBinaryTests.readyPort(of: server), "readyz: \(server.stderr)")

        let cli = CLIProcess(environment: [
            "PATH": "/usr/bin:/bin", "MAESTRO_URL": "http://127.0.0.1:\(port)", "MAESTRO_USER_TOKEN": token,
        ])
        let created = try await cli.runDetached("task", "create", "Through the server user")
        #expect(created.status == 0, "\(created.stderr)")
        let taskId = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let spawned = try await cli.runDetached("session", "create", "--task", taskId)
        #expect(spawned.status == 0, "\(spawned.stderr)")
        let sessionToken = try #require(
            spawned.stdout.split(separator: "\n").first { $0.hasPrefix("MAESTRO_SESSION_TOKEN=") }?
                .split(separator: "=", maxSplits: 1).last.map(String.init))
        var agentOverHTTP = cli.environment
        agentOverHTTP["MAESTRO_USER_TOKEN"] = nil
        for line in spawned.stdout.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            agentOverHTTP[parts[0]] = parts[1]
        }
        let working = try await CLIProcess(environment: agentOverHTTP).runDetached(
            "task", "update", taskId, "--status", "working")
        #expect(working.status == 0, "\(working.stderr)")
        #expect(try ServerBinaryTests.httpStatus(port: port, path: "/api/tasks?projectId=default", token: token) == 200)
        let agent = DeployedUsers.url("maestro-agent", on: redis)
        let supervised = try await CLIProcess(environment: [
            "PATH": "/usr/bin:/bin", "MAESTRO_REDIS_URL": agent, "MAESTRO_AGENT_REDIS_URL": agent,
        ]).runDetached("run", "--heartbeat-ttl", "1", "--", "true")
        #expect(supervised.status == 0, "\(supervised.stderr)")
        try await Task.sleep(for: .milliseconds(1500))  // a sweep or two over the supervised project
        #expect(!server.stderr.contains("NOPERM") && !server.stderr.contains("sweep failed"), "\(server.stderr)")
        #expect(!server.stderr.contains(token), "the user token is never logged, even at trace level")
        #expect(!server.stderr.contains(sessionToken), "nor a session token")
    }

    @Test("the relay user can follow and replay events and nothing else; the server user cannot administer Redis")
    func relayAndServerRefusals() throws {
        let redis = try RedisTestServer(arguments: DeployedUsers.serverArguments)
        defer { redis.stop() }
        let relay = try DeployedUsers.connect("maestro-relay", to: redis)
        #expect(try relay.send(RedisCommand("XRANGE", "mae:{p}:events", "-", "+")).array?.isEmpty == true)
        let server = try DeployedUsers.connect("maestro-server", to: redis)
        func refused(_ connection: RedisConnection, _ command: [String]) -> Bool {
            do {
                let reply = try connection.send(RedisCommand(arguments: command.map { Array($0.utf8) }))
                return ServerAccessControlTests.isRefusal("\(reply)")
            } catch {
                return ServerAccessControlTests.isRefusal("\(error)")
            }
        }
        for command in [
            ["FCALL", "maestro_version", "0"], ["HSET", "mae:{p}:task:x", "a", "b"], ["SPUBLISH", "mae:{p}:live", "x"],
            ["XADD", "mae:{p}:events", "*", "a", "b"], ["FLUSHALL"], ["KEYS", "*"],
        ] {
            #expect(refused(relay, command), "relay: \(command)")
        }
        for command in [
            ["FLUSHALL"], ["CONFIG", "SET", "appendonly", "no"], ["KEYS", "*"], ["FUNCTION", "DELETE", "maestro"],
            ["FUNCTION", "FLUSH"], ["SCRIPT", "LOAD", "return 1"], ["DEBUG", "SLEEP", "0"], ["SET", "other", "x"],
        ] {
            #expect(refused(server, command), "server: \(command)")
        }
        _ = try relay.send(RedisCommand("SSUBSCRIBE", "mae:{p}:live"))
    }

    /// NOPERM from the ACL, or DEBUG's own refusal (it is off unless enable-debug-command allows it).
    static func isRefusal(_ text: String) -> Bool {
        text.contains("NOPERM") || text.contains("DEBUG command not allowed")
    }
}
