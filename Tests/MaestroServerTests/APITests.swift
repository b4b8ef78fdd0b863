import Foundation
import HTTPTypes
import MaestroStore
import MaestroTestSupport
import RedisClient
import RedisTestSupport
import Testing

@Suite("HTTP API against a live server and a real Redis")
struct APITests {
    @Test("tasks: create 201, get, list with cursor, update status, delete; errors in one shape")
    func tasks() async throws {
        try await LiveServer.run { server in
            let created = try await server.call(
                .post, "/api/tasks", json: #"{"projectId":"p","title":"Write docs","priority":"high"}"#)
            #expect(created.status == .created && created.body["status"] as? String == "todo")
            let id = try #require(created.body["id"] as? String)
            let got = try await server.call(.get, "/api/tasks/\(id)?projectId=p")
            #expect(got.status == .ok && got.body["title"] as? String == "Write docs")
            let list = try await server.call(.get, "/api/tasks?projectId=p&status=todo")
            let cursor = try server.lastEventID()
            #expect((list.body["tasks"] as? [Any])?.count == 1 && list.body["cursor"] as? String == cursor)

            let started = try await server.call(.put, "/api/tasks/\(id)?projectId=p", json: #"{"status":"inprogress"}"#)
            #expect(started.status == .ok && started.body["status"] as? String == "inprogress")
            let refused = try await server.call(
                .put, "/api/tasks/\(id)?projectId=p", json: #"{"status":"inprogress","title":""}"#)
            #expect(refused.status == .badRequest)
            let invalid = try await server.call(.put, "/api/tasks/\(id)?projectId=p", json: #"{"status":"cancelled"}"#)
            #expect(invalid.status == .ok)
            let notAllowed = try await server.call(
                .put, "/api/tasks/\(id)?projectId=p", json: #"{"status":"completed"}"#)
            #expect(notAllowed.status == .conflict)
            let error = notAllowed.body["error"] as? [String: Any]
            #expect(error?["code"] as? String == "INVALID_TRANSITION" && error?["current"] as? String == "cancelled")
            #expect(error?["allowed"] as? [String] == ["todo"])

            let deleted = try await server.call(.delete, "/api/tasks/\(id)?projectId=p")
            #expect(deleted.status == .ok)
            #expect(try await server.call(.get, "/api/tasks/\(id)?projectId=p").status == .notFound)
        }
    }

    @Test("bad input: malformed JSON, unknown fields, bad ids, huge bodies are 4xx and change nothing")
    func badInput() async throws {
        try await LiveServer.run { server in
            let before = try server.lastEventID()
            let cases: [(String, String)] = [
                ("/api/tasks", #"{"title": "#),
                ("/api/tasks", #"{"title":"x","colour":"red"}"#),
                ("/api/tasks", #"{"title":"x","id":"a{b}"}"#),
                ("/api/tasks", #"{"title":"x","projectId":"bad project"}"#),
                ("/api/tasks", #"{"title":"\#(String(repeating: "x", count: 501))"}"#),
                ("/api/tasks", #"{"title":"x","description":"\#(String(repeating: "d", count: 300_000))"}"#),
                ("/api/tasks", #"["not","an","object"]"#),
            ]
            for (path, json) in cases {
                let result = try await server.call(.post, path, json: json)
                #expect((400..<500).contains(result.status.code), "\(json.prefix(60)): \(result.status)")
                #expect((result.body["error"] as? [String: Any])?["message"] is String)
            }
            #expect(try await server.call(.get, "/api/tasks/missing?projectId=p").status == .notFound)
            #expect(try await server.call(.get, "/api/nothing").status == .notFound)
            #expect(try server.lastEventID() == before)
        }
    }

    @Test("auth: no token 401, wrong token 403, session endpoints take that session's token")
    func auth() async throws {
        try await LiveServer.run { server in
            #expect(try await server.call(.get, "/api/tasks", token: nil).status == .unauthorized)
            #expect(try await server.call(.get, "/api/tasks", token: "mut_wrong").status == .forbidden)
            #expect(try await server.call(.get, "/events", token: nil).status == .unauthorized)
            let task = try await server.createTask()
            let alice = try await server.spawnSession(taskIds: [task])
            let bob = try await server.spawnSession(taskIds: [task])
            let path = "/api/tasks/\(task)/sessions/\(alice.id)/status?projectId=p"
            #expect(
                try await server.call(.put, path, token: nil, json: #"{"status":"working"}"#).status == .unauthorized)
            #expect(
                try await server.call(.put, path, token: bob.token, json: #"{"status":"working"}"#).status == .forbidden
            )
            #expect(
                try await server.call(.put, path, token: LiveServer.userToken, json: #"{"status":"working"}"#).status
                    == .forbidden)
            let ok = try await server.call(.put, path, token: alice.token, json: #"{"status":"working"}"#)
            #expect(ok.status == .ok && ok.body["taskStatus"] as? String == "inprogress")
        }
    }

    @Test("WebSocket upgrades check the token and the browser origin")
    func webSocketChecks() async throws {
        try await LiveServer.run { server in
            let token = "Bearer \(LiveServer.userToken)"
            let own = "http://localhost"  // the test client sends Host: localhost
            var statuses: [HTTPResponse.Status] = []
            for headers: HTTPFields in [
                [:], [.authorization: token, .origin: "http://evil.example"], [.authorization: token, .origin: own],
                [.authorization: token],
            ] {
                statuses.append(
                    try await server.client.execute(uri: "/ws?projectId=p", method: .get, headers: headers).status)
            }
            #expect(statuses[0] == .unauthorized)
            #expect(statuses[1] == .forbidden, "a foreign browser origin is refused")
            #expect(statuses[2] != .forbidden, "the server's own origin is allowed")
            #expect(statuses[3] == .badRequest, "a plain GET is told to upgrade")
        }
    }

    @Test("sessions: spawn returns token and env, list, get, queue, stop and restart by the rules, unlink")
    func sessions() async throws {
        try await LiveServer.run { server in
            let task = try await server.createTask()
            let other = try await server.createTask()
            let spawned = try await server.call(
                .post, "/api/sessions", json: #"{"projectId":"p","name":"builder","taskIds":["\#(task)"]}"#)
            #expect(spawned.status == .created)
            let env = try #require(spawned.body["env"] as? [String: String])
            let session = try #require(env["MAESTRO_SESSION_ID"])
            let token = try #require(env["MAESTRO_SESSION_TOKEN"])
            #expect(
                env["MAESTRO_PROJECT_ID"] == "p" && env["MAESTRO_URL"] != nil
                    && spawned.body["token"] as? String == token)

            let queued = try await server.call(
                .post, "/api/tasks/\(other)/queue?projectId=p", token: token, json: #"{"sessionId":"\#(session)"}"#)
            #expect(queued.status == .ok)
            let listed = try await server.call(.get, "/api/sessions?projectId=p")
            let first = (listed.body["sessions"] as? [[String: Any]])?.first
            #expect(first?["status"] as? String == "spawning" && first?["taskIds"] as? [String] == [task, other])

            let early = try await server.call(.post, "/api/sessions/\(session)/stop?projectId=p")
            #expect(early.status == .conflict, "a spawning session cannot be stopped by a user")
            // The supervisor (the system) reports the agent running; then the user may stop and restart it.
            _ = try server.redis.connect().run(
                ChangeLifecycle(scope: try ProjectScope(projectId: "p"), sessionId: session, target: .active))
            let stopped = try await server.call(.post, "/api/sessions/\(session)/stop?projectId=p")
            #expect(stopped.status == .ok && stopped.body["status"] as? String == "stopped")
            let restarted = try await server.call(.post, "/api/sessions/\(session)/restart?projectId=p")
            #expect(restarted.status == .ok && restarted.body["status"] as? String == "spawning")

            let unlinked = try await server.call(.delete, "/api/tasks/\(other)/sessions/\(session)?projectId=p")
            #expect(unlinked.status == .ok && (unlinked.body["sessionIds"] as? [String])?.isEmpty == true)
        }
    }

    @Test("answers: a user answers a needs_input question; the history shows who changed what")
    func answersAndHistory() async throws {
        try await LiveServer.run { server in
            let task = try await server.createTask()
            let (session, token) = try await server.spawnSession(taskIds: [task])
            let status = "/api/tasks/\(task)/sessions/\(session)/status?projectId=p"
            let answer = "/api/tasks/\(task)/sessions/\(session)/answer?projectId=p"
            #expect(try await server.call(.put, status, token: token, json: #"{"status":"working"}"#).status == .ok)
            let early = try await server.call(.post, answer, json: #"{"answer":"yes"}"#)
            #expect(early.status == .conflict, "nothing was asked yet")
            let asked = try await server.call(
                .put, status, token: token, json: #"{"status":"needs_input","notes":"Deploy now?"}"#)
            #expect(asked.status == .ok)
            #expect(try await server.call(.post, answer, token: token, json: #"{"answer":"yes"}"#).status == .forbidden)
            #expect(try await server.call(.post, answer, json: #"{"answer":""}"#).status == .badRequest)
            #expect(try await server.call(.post, answer, json: #"{"reply":"yes"}"#).status == .badRequest)
            let answered = try await server.call(.post, answer, json: #"{"answer":"Yes, after the tests pass"}"#)
            #expect(answered.status == .ok && answered.body["answer"] as? String == "Yes, after the tests pass")
            let shown = try await server.call(.get, "/api/tasks/\(task)?projectId=p")
            let entry = (shown.body["sessionProgress"] as? [[String: Any]])?.first
            #expect(
                entry?["status"] as? String == "needs_input"
                    && entry?["answer"] as? String == "Yes, after the tests pass")
            let events = try SupervisedAgent.events(project: "p", on: server.redis.connect())
            #expect(events.last?.type == "task:input_answer")

            let history = try await server.call(.get, "/api/tasks/\(task)/history?projectId=p")
            let actions = (history.body["history"] as? [[String: Any]])?.map { $0["action"] as? String ?? "" }
            #expect(actions == ["answer", "progress", "status", "progress", "queued", "created"])
            #expect(try await server.call(.get, "/api/tasks/nope/history?projectId=p").status == .notFound)
            #expect(
                try await server.call(.get, "/api/tasks/\(task)/history?projectId=p", token: nil).status
                    == .unauthorized)
        }
    }

    @Test("a flushed function library is loaded again by the next call, which then succeeds")
    func libraryReloaded() async throws {
        try await LiveServer.run { server in
            let task = try await server.createTask()
            _ = try server.redis.connect().sendToEveryPrimary(RedisCommand("FUNCTION", "FLUSH"))
            let got = try await server.call(.get, "/api/tasks/\(task)?projectId=p")
            #expect(got.status == .ok, "the read reloaded the library; the data was never gone")
            let created = try await server.call(.post, "/api/tasks", json: #"{"projectId":"p","title":"After"}"#)
            #expect(created.status == .created)
            #expect(try FunctionLibrary.loadedVersion(on: server.redis.connect()) == FunctionLibrary.version)
        }
    }

    @Test("health and readiness")
    func health() async throws {
        try await LiveServer.run { server in
            #expect(try await server.call(.get, "/healthz", token: nil).status == .ok)
            #expect(try await server.call(.get, "/readyz", token: nil).status == .ok)
            _ = try server.redis.connect().send(.init("FUNCTION", "FLUSH"))
            #expect(try await server.call(.get, "/readyz", token: nil).status == .serviceUnavailable)
        }
    }
}

@Suite("Operations")
struct OperationsTests {
    @Test("/metrics counts transitions by kind and result, and relayed events")
    func metrics() async throws {
        try await LiveServer.run { server in
            let task = try await server.createTask()
            _ = try await server.call(.put, "/api/tasks/\(task)?projectId=p", json: #"{"status":"cancelled"}"#)
            _ = try await server.call(.put, "/api/tasks/\(task)?projectId=p", json: #"{"status":"completed"}"#)
            let response = try await server.client.execute(uri: "/metrics", method: .get)
            let text = String(buffer: response.body)
            #expect(response.status == .ok)
            #expect(text.contains(#"maestro_transitions_total{kind="create_task",result="ok"} 1"#))
            #expect(text.contains(#"maestro_transitions_total{kind="update_task",result="INVALID_TRANSITION"} 1"#))
            #expect(text.contains("maestro_stream_clients"))
        }
    }
}
