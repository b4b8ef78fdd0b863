import Foundation
import ProcessTestSupport
import RedisClient
import RedisTestSupport
import Testing

/// `--role api` and `--role relay` processes sharing one Redis, each with its least-privilege user.
@Suite("maestro-server roles: an API server and a relay on one Redis")
struct ServerRoleTests {
    @Test("a change made through the api server reaches a WebSocket and SSE on the relay (maestro-relay user)")
    func apiAndRelay() async throws {
        let redis = try RedisTestServer(arguments: DeployedUsers.serverArguments)
        defer { redis.stop() }
        let token = "mut_role_test_0123456789abcdef"
        func start(_ role: String, user: String) throws -> (CLIProcess.Running, Int?) {
            let process = try CLIProcess(
                environment: [
                    "PATH": ServerBinaryTests.path, "MAESTRO_REDIS_URL": DeployedUsers.url(user, on: redis),
                    "MAESTRO_USER_TOKEN": token,
                ],
                executable: "maestro-server"
            ).start("--role", role, "--port", "0", "--data-dir", redis.directory.path)
            return (process, try ServerBinaryTests.readyPort(of: process))
        }
        let (api, readyAPIPort) = try start("api", user: "maestro-server")
        defer { api.signal(SIGKILL) }
        let apiPort = try #require(readyAPIPort, "api readyz: \(api.stderr)")
        let (relay, readyRelayPort) = try start("relay", user: "maestro-relay")
        defer { relay.signal(SIGKILL) }
        let relayPort = try #require(readyRelayPort, "relay readyz: \(relay.stderr)")

        // Each serves its own routes only.
        #expect(try ServerBinaryTests.httpStatus(port: relayPort, path: "/api/tasks", token: token) == 404)
        #expect(try ServerBinaryTests.httpStatus(port: apiPort, path: "/events?token=\(token)") == 404)
        #expect(try ServerBinaryTests.httpStatus(port: apiPort, path: "/ws?token=\(token)") == 404)
        #expect(try ServerBinaryTests.httpStatus(port: relayPort, path: "/metrics") == 200)

        let cli = CLIProcess(environment: [
            "PATH": "/usr/bin:/bin", "MAESTRO_URL": "http://127.0.0.1:\(apiPort)", "MAESTRO_USER_TOKEN": token,
        ])
        let first = try await cli.runDetached("task", "create", "Before the clients")
        #expect(first.status == 0, "\(first.stderr)")
        let cursor = try #require(
            try DeployedUsers.connect("maestro-relay", to: redis)
                .send(RedisCommand("XREVRANGE", "mae:{default}:events", "+", "-", "COUNT", "1"))
                .array?.first?.array?.first?.string)
        // Both clients read on threads of their own (a busy cooperative pool in this process cannot delay them);
        // each replays from the cursor, so whenever it connects it gets the task created below.
        async let sse = serverSentEvents(
            port: relayPort, path: "/events?projectId=default&since=\(cursor)&token=\(token)", headers: [:],
            count: 1)
        async let webSocket = RawWebSocket.run(
            port: relayPort, query: "projectId=default&since=\(cursor)&token=\(token)", answersPings: true, count: 1,
            limit: 30)
        let created = try await cli.runDetached("task", "create", "Through the api server")
        #expect(created.status == 0, "\(created.stderr)")
        let received = try await webSocket
        #expect(
            received.messages.count == 1 && received.messages.first?.contains("task:created") == true,
            "\(received.messages), closed after \(String(describing: received.closedAfter)) s; relay: \(relay.stderr)")
        #expect(try await sse.first?.contains("Through the api server") == true)
        #expect(!relay.stderr.contains("NOPERM") && !api.stderr.contains("NOPERM"), "\(relay.stderr)\n\(api.stderr)")
    }
}
