import Foundation
import MaestroStore
import ProcessTestSupport
import RedisClient
import RedisTestSupport
import Testing

/// A stalled Redis (SIGSTOP for 5 s): clients fail within their timeouts with clear messages, the server reports
/// not ready and answers 503, and everything recovers after SIGCONT without a restart.
@Suite("Redis stalled", .disabled(if: RedisTestServer.clusterMode, "stalls one redis-server process"))
struct StallTests {
    @Test("SIGSTOP redis-server 5 s: CLI exit 6 within its timeout, /readyz 503, API 503; all recover after SIGCONT")
    func stalledRedis() async throws {
        try await LiveServer.run { server in
            let task = try await server.createTask()
            let cli = CLIProcess(environment: [
                "PATH": "/usr/bin:/bin", "MAESTRO_REDIS_URL": server.redis.url, "MAESTRO_PROJECT_ID": "p",
                "MAESTRO_COMMAND_TIMEOUT": "1",
            ])
            let since = try server.lastEventID()
            let token = LiveServer.userToken
            let (opened, open) = AsyncStream<Void>.makeStream()
            let stream = Task {
                try await webSocketMessages(
                    port: server.port, query: "projectId=p&since=\(since)&token=\(token)", count: 1,
                    onOpen: { open.yield() })
            }
            for await _ in opened { break }
            try await Task.sleep(for: .milliseconds(300))  // past the feed's first read of the stream
            let clock = ContinuousClock()
            let stalledAt = clock.now
            server.redis.signal(SIGSTOP)

            // All three while Redis is stopped (each is bounded by its own timeout: the CLI's 1 s, the server's 2 s).
            async let shownResult = cli.runDetached("task", "show", task)
            async let readyResult = server.call(.get, "/readyz", token: nil)
            async let writeResult = server.call(.post, "/api/tasks", json: #"{"projectId":"p","title":"During"}"#)
            let (shown, ready, write) = try await (shownResult, readyResult, writeResult)
            #expect(try Self.isStopped(server.redis), "the answers came while Redis was still stopped")
            #expect(shown.status == 6, "\(shown.stderr)")
            #expect(shown.stderr.contains("did not answer within"), "\(shown.stderr)")
            #expect(ready.status == .serviceUnavailable && ready.body["status"] as? String == "not ready")
            #expect((ready.body["problems"] as? String)?.contains("did not answer") == true, "\(ready.body)")
            #expect(write.status == .serviceUnavailable)
            let error = write.body["error"] as? [String: Any]
            #expect(error?["code"] as? String == "REDIS_UNAVAILABLE" && (error?["message"] as? String)?.isEmpty == false)

            try await Task.sleep(until: stalledAt + .seconds(5))
            server.redis.signal(SIGCONT)
            #expect(await pollUntil { (try? await server.call(.get, "/readyz", token: nil).status) == .ok })
            let after = try await server.call(.post, "/api/tasks", json: #"{"projectId":"p","title":"After"}"#)
            #expect(after.status == .created)
            #expect(try await cli.runDetached("task", "show", task).status == 0)
            let frames = try await stream.value.messages
            #expect(frames.count == 1 && frames.first?.contains("task:created") == true, "the relay carried on")
        }
    }

    /// Whether the redis-server process is stopped (state T in /proc).
    static func isStopped(_ redis: RedisTestServer) throws -> Bool {
        let status = try String(contentsOfFile: "/proc/\(redis.processIdentifier)/status", encoding: .utf8)
        return status.contains("State:\tT")
    }
}
