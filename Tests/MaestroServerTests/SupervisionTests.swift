import Foundation
import MaestroStore
import MaestroTestSupport
import ProcessTestSupport
import RedisClient
import RedisTestSupport
import Testing

/// `maestro run` supervisors driven by the server: stop and restart through the API, lost heartbeats found by
/// the lease sweepers of two servers at once.
@Suite("Supervision through the server")
struct SupervisionTests {
    /// Starts `maestro run` for project p on the server's Redis, and waits until its session is active.
    func startSupervisor(
        _ server: LiveServer, _ agent: SupervisedAgent, ttl: Int
    ) async throws -> (CLIProcess.Running, String) {
        let environment = [
            "MAESTRO_REDIS_URL": server.redis.url, "MAESTRO_AGENT_REDIS_URL": server.redis.url,
            "MAESTRO_PROJECT_ID": "p", "PATH": "/usr/bin:/bin",
        ]
        let words = ["run", "--heartbeat-ttl", String(ttl), "--stop-grace", "2", "--"] + agent.command
        let running = try CLIProcess(environment: environment).start(bytes: words.map { Array($0.utf8) })
        #expect(await pollUntil { agent.pids.count == 1 && !agent.environment.isEmpty })
        let sessionId = try #require(agent.environment["MAESTRO_SESSION_ID"])
        #expect(await pollUntil { (try? status(sessionId, server)) == "active" })
        return (running, sessionId)
    }

    func status(_ sessionId: String, _ server: LiveServer) throws -> String? {
        try SupervisedAgent.session(sessionId, project: "p", on: server.redis.connect())["status"]
    }

    func lifecycleEvents(_ server: LiveServer) throws -> [String] {
        try SupervisedAgent.events(project: "p", on: server.redis.connect()).map(\.type).filter {
            $0.hasPrefix("session:")
        }
    }

    @Test("stop through the API ends the agent and stops the session; restart starts a new agent")
    func stopAndRestartThroughTheAPI() async throws {
        let agent = try SupervisedAgent()
        defer { agent.remove() }
        try await LiveServer.run { server in
            let (running, sessionId) = try await startSupervisor(server, agent, ttl: 5)

            let stopped = try await server.call(.post, "/api/sessions/\(sessionId)/stop?projectId=p")
            #expect(stopped.status == .ok && stopped.body["status"] as? String == "stopped")
            #expect(await pollUntil { !SupervisedAgent.isAlive(agent.pids[0]) })
            #expect(agent.terminations == 1)

            let restarted = try await server.call(.post, "/api/sessions/\(sessionId)/restart?projectId=p")
            #expect(restarted.status == .ok && restarted.body["status"] as? String == "spawning")
            #expect(await pollUntil { agent.pids.count == 2 && (try? status(sessionId, server)) == "active" })
            let shown = try await server.call(.get, "/api/sessions/\(sessionId)?projectId=p")
            #expect(shown.body["pid"] as? Int == Int(agent.pids[1]))
            #expect(shown.body["host"] is String && shown.body["lastHeartbeat"] is String)

            running.signal(SIGTERM)
            #expect(await running.finished().status == 0)
            #expect(
                try lifecycleEvents(server) == [
                    "session:spawn", "session:active", "session:stopped", "session:spawn", "session:active",
                    "session:stopped",
                ])
        }
    }

    @Test("kill -9 of the supervisor → unresponsive, then failed (heartbeat lost) within 2 × TTL; each once with two sweepers")
    func lostHeartbeatWithTwoSweepers() async throws {
        let agent = try SupervisedAgent()
        defer { agent.remove() }
        let ttl = 3
        try await LiveServer.run { first in
            try await LiveServer.run(sharing: first.redis) { _ in
                let (running, sessionId) = try await startSupervisor(first, agent, ttl: ttl)
                let killed = ContinuousClock.now
                running.signal(SIGKILL)
                _ = await running.finished()
                #expect(await pollUntil(timeout: .seconds(3 * ttl)) { (try? status(sessionId, first)) == "failed" })
                let detected = ContinuousClock.now - killed
                #expect(detected <= .seconds(2 * ttl), "found lost after \(detected)")
                try await Task.sleep(for: .seconds(2))  // both sweepers run again; neither may report it twice
                let session = try SupervisedAgent.session(sessionId, project: "p", on: first.redis.connect())
                #expect(session["error"] == "heartbeat lost")
                #expect(
                    try lifecycleEvents(first) == [
                        "session:spawn", "session:active", "session:unresponsive", "session:failed",
                    ])
                let failed = try SupervisedAgent.events(project: "p", on: first.redis.connect()).last
                #expect(failed?.payload.contains("heartbeat lost") == true)
                agent.remove()  // the orphaned agent, before the servers stop
            }
        }
    }

    @Test("a supervisor that comes back after its session was declared lost is refused, stops its agent, exits 3")
    func comebackRefused() async throws {
        let agent = try SupervisedAgent()
        defer { agent.remove() }
        try await LiveServer.run { server in
            let (running, sessionId) = try await startSupervisor(server, agent, ttl: 1)
            running.signal(SIGSTOP)
            #expect(await pollUntil { (try? status(sessionId, server)) == "failed" })
            running.signal(SIGCONT)
            let result = await running.finished()
            #expect(result.status == 3)
            #expect(result.stderr.contains("heartbeat was lost"))
            #expect(await pollUntil { !SupervisedAgent.isAlive(agent.pids[0]) })
            #expect(try status(sessionId, server) == "failed")
            #expect(
                try lifecycleEvents(server) == [
                    "session:spawn", "session:active", "session:unresponsive", "session:failed",
                ])
        }
    }
}
