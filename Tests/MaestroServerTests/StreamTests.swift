import Foundation
import MaestroStore
import RedisClient
import Testing
import WSClient

@Suite("Live streams: WebSocket and SSE, exact resume, resync, slow clients, several relays")
struct StreamTests {
    static let auth = "token=\(LiveServer.userToken)"

    @Test("a progress update arrives as task:session_status on a WebSocket and on SSE")
    func updateArrives() async throws {
        try await LiveServer.run { server in
            let task = try await server.createTask()
            let session = try await server.spawnSession(taskIds: [task])
            let since = try server.lastEventID()
            let update: @Sendable () async throws -> Void = {
                _ = try await server.call(
                    .put, "/api/tasks/\(task)/sessions/\(session.id)/status?projectId=p", token: session.token,
                    json: #"{"status":"working"}"#)
            }
            // A client names where it starts (the snapshot's cursor): without `since` it starts wherever the
            // server's feed begins, which may be just after an update made the moment the socket opened.
            let ws = try await webSocketMessages(
                port: server.port, query: "projectId=p&since=\(since)&\(Self.auth)", count: 2
            ) { try await update() }
            try #require(ws.messages.count == 2)
            let first = decodeEvent(ws.messages[0])
            #expect(first["type"] as? String == "task:session_status")
            #expect((first["payload"] as? [String: Any])?["status"] as? String == "working")
            #expect(decodeEvent(ws.messages[1])["type"] as? String == "task:updated")

            let sse = try await serverSentEvents(
                port: server.port, path: "/events?projectId=p",
                headers: ["Authorization": "Bearer \(LiveServer.userToken)", "Last-Event-ID": since],
                count: 2)
            #expect(sse.map { decodeEvent($0)["type"] as? String } == ["task:session_status", "task:updated"])
        }
    }

    @Test("resume: events committed while away are delivered once, in order, then the live ones")
    func resume() async throws {
        try await LiveServer.run { server in
            let task = try await server.createTask()
            let session = try await server.spawnSession(taskIds: [task])
            let since = try server.lastEventID()
            let path = "/api/tasks/\(task)/sessions/\(session.id)/status?projectId=p"
            for status in ["working", "blocked", "working"] {  // committed while the client is away: 4 events
                _ = try await server.call(.put, path, token: session.token, json: #"{"status":"\#(status)"}"#)
            }
            let ws = try await webSocketMessages(
                port: server.port, query: "projectId=p&since=\(since)&\(Self.auth)", count: 6
            ) {
                for status in ["needs_input", "working"] {  // live, possibly while the replay is still running
                    _ = try await server.call(.put, path, token: session.token, json: #"{"status":"\#(status)"}"#)
                }
            }
            try #require(ws.messages.count == 6, "\(ws.messages.count) of 6 events arrived")
            let events = ws.messages.map(decodeEvent)
            let ids = events.compactMap { $0["id"] as? String }
            #expect(ids.count == 6 && Set(ids).count == 6, "no duplicates")
            #expect(ids == ids.sorted { StreamIDOrder.less($0, $1) }, "in order")
            let statuses = events.compactMap { ($0["payload"] as? [String: Any])?["status"] as? String }
            #expect(statuses == ["working", "blocked", "working", "needs_input", "working"])
            let versions = events.compactMap { event -> Int? in
                let payload = event["payload"] as? [String: Any]
                return payload?["version"] as? Int ?? (payload?["task"] as? [String: Any])?["version"] as? Int
            }
            #expect(versions == Array(versions.first!...(versions.first! + 5)), "contiguous task versions")
        }
    }

    @Test("events whose frames need 16- and 64-bit lengths arrive intact, replayed and live")
    func frameLengths() async throws {
        try await LiveServer.run { server in
            let since = try server.lastEventID()
            // A created task's event is always over 125 bytes: 1- and 1,000-byte descriptions give frames with
            // 16-bit lengths, the largest description (65,536 bytes) one with a 64-bit length. (Pings and close
            // frames, with 7-bit lengths, are covered by the keep-alive and shutdown tests.)
            let descriptions = [String(repeating: "a", count: 1), String(repeating: "b", count: 1000)]
            for description in descriptions {  // replayed: committed before the client connects
                _ = try await server.call(
                    .post, "/api/tasks", json: #"{"projectId":"p","title":"T","description":"\#(description)"}"#)
            }
            let large = String(repeating: "c", count: 65_536)
            let ws = try await webSocketMessages(
                port: server.port, query: "projectId=p&since=\(since)&\(Self.auth)", count: 3
            ) {
                _ = try await server.call(
                    .post, "/api/tasks", json: #"{"projectId":"p","title":"T","description":"\#(large)"}"#)
            }
            try #require(ws.messages.count == 3, "\(ws.messages.count) of 3 events arrived")
            let received = ws.messages.map { (decodeEvent($0)["payload"] as? [String: Any])?["task"] as? [String: Any] }
            #expect(received.map { $0?["description"] as? String } == descriptions + [large])
            #expect(ws.messages.last!.utf8.count > 65_535, "the last frame needs a 64-bit length")
        }
    }

    @Test("a client whose position was trimmed away gets an explicit resync")
    func resync() async throws {
        try await LiveServer.run { server in
            let old = try server.lastEventID()
            for _ in 0..<5 { _ = try await server.createTask() }
            _ = try server.redis.connect().send(RedisCommand("XTRIM", "mae:{p}:events", "MAXLEN", "2"))
            let ws = try await webSocketMessages(
                port: server.port, query: "projectId=p&since=\(old == "0-0" ? "1-0" : old)&\(Self.auth)", count: 1)
            let message = try #require(ws.messages.first)
            #expect(decodeEvent(message)["type"] as? String == "resync")
        }
    }

    @Test("a slow client is disconnected with a clear close reason instead of buffering without bound")
    func slowClient() async throws {
        try await LiveServer.run(queueLimit: 5) { server in
            let description = String(repeating: "d", count: 60_000)
            // The client reads nothing while events of ~60 KB are published: the socket fills, the server's writes
            // wait, its queue of 5 overflows, and it starts closing the connection. The client then reads at once,
            // before the server's close timeout (3 s) ends its wait for the close frame to get out.
            let tooSlow = "maestro_stream_clients_too_slow_total"
            let result = try await webSocketMessages(port: server.port, query: "projectId=p&\(Self.auth)", count: 1000)
            {
                for index in 0..<120 where server.counter(tooSlow) == 0 {
                    _ = try await server.call(
                        .post, "/api/tasks",
                        json: #"{"projectId":"p","title":"t\#(index)","description":"\#(description)"}"#)
                }
            }
            #expect(server.counter(tooSlow) == 1)
            #expect(result.messages.count < 120)
            #expect(result.close?.closeCode == .policyViolation)
            #expect(result.close?.reason?.contains("client too slow") == true)
        }
    }

    @Test("a WebSocket client that leaves a ping unanswered is dropped; one that answers stays connected")
    func keepAlive() async throws {
        try await LiveServer.run(keepAliveInterval: .seconds(1)) { server in
            // Both clients run on threads of their own: a pong is never late because the test process is busy.
            let silent = try await RawWebSocket.run(
                port: server.port, query: "projectId=p&\(Self.auth)", answersPings: false, limit: 20)
            // Dropped about one interval after the unanswered ping; the bound is loose because the relay's tick runs
            // on the cooperative pool, which the other tests of this process keep busy.
            #expect(silent.closedAfter != nil, "still open after 20 s of unanswered pings every second")
            let since = try server.lastEventID()
            async let answering = RawWebSocket.run(
                port: server.port, query: "projectId=p&since=\(since)&\(Self.auth)", answersPings: true, count: 1,
                limit: 30)
            // The event comes after three pings, each answered; written straight to Redis, since the test client's
            // HTTP connection has been idle longer than the server keeps one.
            try await Task.sleep(for: .seconds(3))
            _ = try server.redis.connect().run(
                CreateTask(scope: try ProjectScope(projectId: "p"), taskId: "after-pings", title: "After the pings"))
            let result = try await answering
            #expect(result.messages.count == 1 && result.closedAfter == nil, "\(result)")
        }
    }

    @Test("two relays on the same Redis both deliver every event")
    func twoRelays() async throws {
        try await LiveServer.run { first in
            try await LiveServer.run(sharing: first.redis) { second in
                let since = try first.lastEventID()
                _ = try await first.createTask()
                _ = try await second.createTask()
                let a = try await webSocketMessages(
                    port: first.port, query: "projectId=p&since=\(since)&\(Self.auth)", count: 2)
                let b = try await webSocketMessages(
                    port: second.port, query: "projectId=p&since=\(since)&\(Self.auth)", count: 2)
                #expect(a.messages == b.messages && a.messages.count == 2)
            }
        }
    }
}

@Suite("Graceful shutdown")
struct ShutdownTests {
    @Test("connected WebSocket clients get a close frame when the server shuts down")
    func closeFrameOnShutdown() async throws {
        let box = TaskBox()
        try await LiveServer.run { server in
            box.task = Task {
                try await webSocketMessages(port: server.port, query: "projectId=p&\(StreamTests.auth)", count: 1000)
                    .close
            }
            while server.relay.clientCount == 0 { try await Task.sleep(for: .milliseconds(10)) }
        }  // returning shuts the server down gracefully
        let close = try await box.task?.value ?? nil
        // hummingbird-websocket closes every WebSocket with 1000 on graceful shutdown (our feed would say 1001
        // "server shutting down"; whichever comes first): either way the client gets a close frame, not a reset.
        let code = close?.closeCode
        #expect(code == .normalClosure || code == .goingAway, "\(String(describing: close))")
    }
}

/// Hands the client task out of the server's scope.
final class TaskBox: @unchecked Sendable {
    // @unchecked: written once inside the server's scope, read after it ended.
    var task: Task<WebSocketCloseFrame?, any Error>?
}

/// Orders stream ids as Redis does.
enum StreamIDOrder {
    static func less(_ a: String, _ b: String) -> Bool {
        let x = a.split(separator: "-").compactMap { UInt64($0) }
        let y = b.split(separator: "-").compactMap { UInt64($0) }
        return (x[0], x[1]) < (y[0], y[1])
    }
}

@Suite("Stream tickets: the user token never in a URL")
struct StreamTicketTests {
    @Test("a ticket opens one stream, once; a used, unknown or malformed one is refused; tokens in URLs only on streams")
    func singleUse() async throws {
        try await LiveServer.run { server in
            let issued = try await server.call(.post, "/api/stream-tickets")
            #expect(issued.status == .created)
            let ticket = try #require(issued.body["ticket"] as? String)
            #expect(ticket.hasPrefix("mtk_") && issued.body["expiresAt"] is String)
            let ttl = try server.redis.connect().send(RedisCommand("TTL", "mae:stream-ticket:\(ticket)")).integer
            #expect(ttl.map { (1...60).contains($0) } == true, "the ticket expires by itself")
            #expect(try await server.call(.post, "/api/stream-tickets", token: nil).status == .unauthorized)

            let since = try server.lastEventID()
            async let first = RawWebSocket.run(
                port: server.port, query: "projectId=p&since=\(since)&ticket=\(ticket)", answersPings: true,
                count: 1, limit: 20)
            try await Task.sleep(for: .milliseconds(300))
            _ = try await server.createTask()
            #expect(try await first.messages.count == 1)

            for refused in [ticket, "mtk_" + String(repeating: "0", count: 64), "garbage", ""] {
                let status = try ServerBinaryTests.httpStatus(port: server.port, path: "/events?projectId=p&ticket=\(refused)")
                #expect(status == 401, "ticket \(refused.prefix(12)): \(String(describing: status))")
            }
            #expect(try ServerBinaryTests.httpStatus(port: server.port, path: "/api/tasks?token=\(LiveServer.userToken)") == 401)
            #expect(try ServerBinaryTests.httpStatus(port: server.port, path: "/?token=\(LiveServer.userToken)") == 401)
        }
    }
}
