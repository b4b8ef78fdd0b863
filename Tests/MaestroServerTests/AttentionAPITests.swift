import Foundation
import MaestroDomain
import MaestroStore
import ProcessTestSupport
import RedisClient
import RedisTestSupport
import Testing

@Suite("Attention over the API: stale work swept by several servers, suggestions, the fleet")
struct AttentionAPITests {
    /// Moves an entry's last report an hour into the past, as far as the stale watch is concerned.
    static func backdate(_ server: LiveServer, project: String = "p", task: String, session: String) throws {
        let past = Int(Date().timeIntervalSince1970 * 1000) - 3_600_000
        _ = try server.redis.connect().send(
            RedisCommand("ZADD", "mae:{\(project)}:stale-due", "XX", String(past), "\(task) \(session)"))
    }

    static func report(_ server: LiveServer, task: String, session: (id: String, token: String), _ status: String)
        async throws
    {
        let path = "/api/tasks/\(task)/sessions/\(session.id)/status?projectId=p"
        #expect(
            try await server.call(.put, path, token: session.token, json: #"{"status":"\#(status)"}"#).status == .ok)
    }

    @Test("an entry goes stale exactly once with two api servers sweeping; listed with stale=true; a report clears it")
    func staleOnceWithTwoServers() async throws {
        try await LiveServer.run(sweepInterval: .milliseconds(50)) { first in
            try await LiveServer.run(sharing: first.redis, sweepInterval: .milliseconds(50)) { second in
                let task = try await first.createTask()
                let session = try await first.spawnSession(taskIds: [task])
                try await Self.report(first, task: task, session: session, "working")
                try Self.backdate(first, task: task, session: session.id)
                #expect(
                    await pollUntil {
                        let read = try? await first.call(.get, "/api/tasks/\(task)?projectId=p")
                        return read?.body["aggregateStatus"] as? String == "stale"
                    })
                try await Task.sleep(for: .milliseconds(500))  // both sweepers ran again meanwhile
                let events = try first.redis.connect().events(in: try ProjectScope(projectId: "p"), after: "0-0")
                #expect(events.filter { $0.type == .taskSessionStale }.count == 1)
                #expect(
                    first.counter("maestro_progress_stale_total") + second.counter("maestro_progress_stale_total") == 1)

                let read = try await second.call(.get, "/api/tasks/\(task)?projectId=p")
                let entry = (read.body["sessionProgress"] as? [[String: Any]])?.first
                #expect(entry?["status"] as? String == "working" && entry?["staleSince"] is String)
                let stale = try await second.call(.get, "/api/tasks?projectId=p&stale=true")
                #expect((stale.body["tasks"] as? [[String: Any]])?.map { $0["id"] as? String } == [task])
                #expect(try await second.call(.get, "/api/tasks?projectId=p&stale=yes").status == .badRequest)
                #expect(
                    try await second.call(.get, "/api/tasks?projectId=p&stale=true&status=todo").status == .badRequest)

                try await Self.report(second, task: task, session: session, "working")
                let cleared = try await first.call(.get, "/api/tasks/\(task)?projectId=p")
                #expect((cleared.body["sessionProgress"] as? [[String: Any]])?.first?["staleSince"] == nil)
                #expect(cleared.body["aggregateStatus"] as? String == "working")
                #expect(try await first.call(.get, "/api/tasks?projectId=p&stale=true").body["total"] as? Int == 0)
            }
        }
    }

    @Test("a suggestion appears when every session finished and goes when the user decides or a session resumes")
    func suggestion() async throws {
        try await LiveServer.run { server in
            let task = try await server.createTask()
            let session = try await server.spawnSession(taskIds: [task])
            try await Self.report(server, task: task, session: session, "working")
            func suggested() async throws -> String? {
                try await server.call(.get, "/api/tasks/\(task)?projectId=p").body["suggestedStatus"] as? String
            }
            #expect(try await suggested() == nil)
            try await Self.report(server, task: task, session: session, "failed")
            #expect(try await suggested() == "todo")
            try await Self.report(server, task: task, session: session, "working")
            #expect(try await suggested() == nil)
            try await Self.report(server, task: task, session: session, "completed")
            #expect(try await suggested() == "completed")
            let summaries = try await server.call(.get, "/api/tasks?projectId=p&view=summary")
            #expect((summaries.body["tasks"] as? [[String: Any]])?.first?["suggestedStatus"] as? String == "completed")
            _ = try await server.call(.put, "/api/tasks/\(task)?projectId=p", json: #"{"status":"completed"}"#)
            #expect(try await suggested() == nil)
        }
    }

    @Test("the fleet lists sessions across projects with host, lifecycle, counts and heartbeat age; filters; totals")
    func fleet() async throws {
        try await LiveServer.run { server in
            let redis = server.redis.connect()
            let alpha = try await server.createTask(project: "alpha")
            let beta = try await server.createTask(project: "beta")
            let onAlpha = try await server.spawnSession(project: "alpha", taskIds: [alpha])
            _ = try await server.spawnSession(project: "beta", taskIds: [beta])
            let identity = SupervisorIdentity(
                session: SessionCredentials(sessionId: onAlpha.id, token: onAlpha.token), supervisorId: "sup_0123456789"
            )
            _ = try redis.run(
                ClaimSession(
                    scope: try ProjectScope(projectId: "alpha"), supervisor: identity, leaseSeconds: 60,
                    host: "build-1"))
            try Self.backdate(server, project: "alpha", task: alpha, session: onAlpha.id)
            #expect(
                await pollUntil {
                    let stale = try? await server.call(.get, "/api/fleet?stale=true")
                    return (stale?.body["sessions"] as? [Any])?.count == 1
                })

            let all = try await server.call(.get, "/api/fleet")
            let sessions = try #require(all.body["sessions"] as? [[String: Any]])
            #expect(sessions.map { $0["projectId"] as? String } == ["alpha", "beta"])
            let first = sessions[0]
            #expect((first["session"] as? [String: Any])?["host"] as? String == "build-1")
            #expect(first["progress"] as? [String: Int] == ["queued": 1] && first["stale"] as? Int == 1)
            #expect(first["heartbeatAgeSeconds"] is Int && sessions[1]["heartbeatAgeSeconds"] == nil)
            let totals = try #require(all.body["totals"] as? [String: Any])
            #expect(totals["sessions"] as? Int == 2)
            let byHost = try #require(totals["byHost"] as? [[String: Any]])
            #expect(byHost.map { $0["host"] as? String } == [nil, "build-1"])
            let byProject = try #require(totals["byProject"] as? [[String: Any]])
            #expect(byProject.map { $0["withStaleWork"] as? Int } == [1, 0])
            #expect((all.body["cursors"] as? [String: String])?.keys.sorted() == ["alpha", "beta"])

            func ids(_ query: String) async throws -> [String] {
                let page = try await server.call(.get, "/api/fleet?\(query)")
                return (page.body["sessions"] as? [[String: Any]] ?? []).compactMap {
                    ($0["session"] as? [String: Any])?["id"] as? String
                }
            }
            #expect(try await ids("project=alpha") == [onAlpha.id])
            #expect(try await ids("host=build-1") == [onAlpha.id])
            #expect(try await ids("host=elsewhere").isEmpty)
            #expect(try await ids("lifecycle=spawning").count == 2)
            #expect(try await ids("lifecycle=active,stopped").isEmpty)
            #expect(try await ids("stale=false").count == 1)
            for bad in ["lifecycle=sleeping", "stale=maybe", "project=a%7Bb%7D"] {
                #expect(try await server.call(.get, "/api/fleet?\(bad)").status == .badRequest, "\(bad)")
            }
            #expect(try await server.call(.get, "/api/fleet", token: nil).status == .unauthorized)
        }
    }
}
