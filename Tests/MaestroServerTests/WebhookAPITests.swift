import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import MaestroServer
import MaestroWebhooks
import RedisClient
import Testing

/// `/api/webhooks` on a live server with a real receiver on loopback (allowed here with allowPrivateTargets).
@Suite("Webhooks over the HTTP API")
struct WebhookAPITests {
    static let quick = WebhookSettings(
        allowPrivateTargets: true, schedule: try! RetrySchedule(parsing: "100ms,100ms"), lease: .seconds(5),
        pollInterval: .milliseconds(50))

    /// For tests whose webhooks point at public addresses: this server never sends anything.
    static let silent = WebhookSettings(deliveryEnabled: false)

    static func body(url: String, events: String = #"["*"]"#, extra: String = "") -> String {
        #"{"url":"\#(url)","events":\#(events)\#(extra)}"#
    }

    @Test("create, read, list and delete; the secret only at creation; refusals are 400, unknown ids 404")
    func lifecycle() async throws {
        try await LiveServer.run(webhooks: Self.silent) { server in
            // Private targets are refused by default, at creation.
            let refused = try await server.call(.post, "/api/webhooks", json: Self.body(url: "http://127.0.0.1:9/hook"))
            #expect(refused.status == .badRequest)
            #expect("\(refused.body)".contains("loopback"), "\(refused.body)")
            let created = try await server.call(
                .post, "/api/webhooks",
                json: Self.body(
                    url: "https://1.1.1.1/hook", events: #"["task:session_status"]"#,
                    extra: #","projectId":"p","statuses":["needs_input","blocked"],"format":"slack""#))
            #expect(created.status == .created, "\(created.body)")
            let webhook = try #require(created.body["webhook"] as? [String: Any])
            let id = try #require(webhook["id"] as? String)
            #expect(id.hasPrefix("wh_"))
            #expect(webhook["statuses"] as? [String] == ["needs_input", "blocked"] && webhook["format"] as? String == "slack")
            #expect(webhook["projectId"] as? String == "p" && (webhook["createdAt"] as? String)?.hasSuffix("Z") == true)
            let secret = try #require(created.body["secret"] as? String)
            #expect(WebhookSecret(secret) != nil && secret.count == 50)

            let read = try await server.call(.get, "/api/webhooks/\(id)")
            #expect(read.status == .ok && read.body["id"] as? String == id && read.body["secret"] == nil)
            let list = try await server.call(.get, "/api/webhooks")
            #expect((list.body["webhooks"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
            #expect(!"\(list.body)".contains("whsec_"))
            #expect(try await server.call(.get, "/api/webhooks/\(id)/deliveries").status == .ok)
            // An empty projectId (the dashboard's, which has no project for webhooks) means every covered project.
            #expect(try await server.call(.get, "/api/webhooks/\(id)/deliveries?projectId=").status == .ok)
            #expect(try await server.call(.get, "/api/webhooks/\(id)/deliveries?projectId=q").status == .badRequest)

            #expect(try await server.call(.delete, "/api/webhooks/\(id)").status == .ok)
            #expect(try await server.call(.get, "/api/webhooks/\(id)").status == .notFound)
            #expect(try await server.call(.delete, "/api/webhooks/\(id)").status == .notFound)
            #expect(try await server.call(.get, "/api/webhooks/wh_nothing/deliveries").status == .notFound)
            #expect(try await server.call(.get, "/api/webhooks/bad%20id").status == .badRequest)
            #expect(try await server.call(.get, "/api/webhooks", token: nil).status == .unauthorized)
            #expect(try await server.call(.get, "/api/webhooks", token: "wrong").status == .forbidden)
        }
    }

    @Test(
        "invalid webhooks are refused with 400 and a reason",
        arguments: [
            (#"{"url":"https://1.1.1.1/","events":["task:nope"]}"#, "unknown event type"),
            (#"{"url":"https://1.1.1.1/","events":[]}"#, "at least one"),
            (#"{"url":"https://1.1.1.1/","events":["*"],"statuses":["sleeping"]}"#, "unknown session status"),
            (#"{"url":"https://1.1.1.1/","events":["*"],"format":"xml"}"#, "unknown format"),
            (#"{"url":"ftp://1.1.1.1/","events":["*"]}"#, "only http and https"),
            (#"{"url":"not a url","events":["*"]}"#, "printable ASCII"),
            (#"{"url":"https://10.1.2.3/","events":["*"]}"#, "private"),
            (#"{"url":"https://[fd00::1]/","events":["*"]}"#, "unique local"),
            (#"{"url":"https://169.254.169.254/latest/meta-data","events":["*"]}"#, "link-local"),
            (#"{"url":"https://1.1.1.1/","events":["*"],"secret":"mine"}"#, "unknown field"),
            (#"{"events":["*"]}"#, "url"),
        ])
    func refusals(body: String, reason: String) async throws {
        try await LiveServer.run(webhooks: Self.silent) { server in
            let reply = try await server.call(.post, "/api/webhooks", json: body)
            #expect(reply.status == .badRequest, "\(reply.body)")
            #expect("\(reply.body)".contains(reason), "\(reply.body)")
            #expect(try server.redis.connect().send(RedisCommand("EXISTS", "mae:webhooks")).integer == 0)
        }
    }

    @Test("an idempotency key makes a retried create return the first webhook and secret; other arguments are 409")
    func idempotentCreate() async throws {
        try await LiveServer.run(webhooks: Self.silent) { server in
            func create(_ url: String) async throws -> (status: HTTPResponse.Status, body: [String: Any]) {
                let response = try await server.client.execute(
                    uri: "/api/webhooks", method: .post,
                    headers: [.authorization: "Bearer \(LiveServer.userToken)", .init("Idempotency-Key")!: "key-1"],
                    body: ByteBuffer(string: Self.body(url: url)))
                return (response.status, (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:])
            }
            let first = try await create("https://1.1.1.1/a")
            let again = try await create("https://1.1.1.1/a")
            #expect(first.status == .created && again.status == .created)
            #expect(first.body["secret"] as? String == again.body["secret"] as? String)
            #expect((first.body["webhook"] as? [String: Any])?["id"] as? String
                == (again.body["webhook"] as? [String: Any])?["id"] as? String)
            #expect(try await create("https://1.1.1.1/b").status == .conflict)
            #expect((try await server.call(.get, "/api/webhooks").body["webhooks"] as? [Any])?.count == 1)
        }
    }

    @Test("a receiver failing twice then answering: three signed attempts with one webhook-id, then delivered")
    func failThenSucceed() async throws {
        let receiver = TestReceiver(answers: [500, 503])
        try await receiver.run { url in
            try await LiveServer.run(webhooks: Self.quick) { server in
                let created = try await server.call(.post, "/api/webhooks", json: Self.body(url: url))
                let secretText = try #require(created.body["secret"] as? String)
                let secret = try #require(WebhookSecret(secretText))
                let id = try #require((created.body["webhook"] as? [String: Any])?["id"] as? String)
                let taskId = try await server.createTask(title: "Signed")
                let requests = try await receiver.wait(for: 3)
                #expect(requests.count == 3)
                let eventId = try server.lastEventID()
                for request in requests {
                    #expect(request.headers["webhook-id"] == eventId)
                    let timestamp = try #require(Int64(request.headers["webhook-timestamp"] ?? ""))
                    #expect(abs(timestamp - Int64(Date().timeIntervalSince1970)) < 30)
                    #expect(
                        request.headers["webhook-signature"]
                            == WebhookSignature.sign(id: eventId, timestamp: timestamp, body: request.body, secret: secret))
                    #expect(request.json["type"] as? String == "task:created" && request.json["projectId"] as? String == "p")
                    #expect((request.json["payload"] as? [String: Any]).flatMap { $0["task"] as? [String: Any] }?["id"]
                        as? String == taskId)
                }
                var delivery: [String: Any] = [:]
                for _ in 0..<100 {
                    let list = try await server.call(.get, "/api/webhooks/\(id)/deliveries?limit=5")
                    delivery = (list.body["deliveries"] as? [[String: Any]])?.first ?? [:]
                    if delivery["state"] as? String == "delivered" { break }
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(delivery["state"] as? String == "delivered" && delivery["attempts"] as? Int == 3)
                #expect(delivery["lastStatus"] as? Int == 200 && delivery["eventId"] as? String == eventId)
                #expect(server.counter("maestro_webhook_enqueued_total") == 1)
            }
        }
    }

    @Test("a receiver that always fails: exactly as many attempts as the schedule has, then dead; a retry sends it again")
    func deadAfterSchedule() async throws {
        let receiver = TestReceiver(answers: Array(repeating: 500, count: 3))
        try await receiver.run { url in
            try await LiveServer.run(webhooks: Self.quick) { server in
                let created = try await server.call(.post, "/api/webhooks", json: Self.body(url: url, extra: #","projectId":"p""#))
                let id = try #require((created.body["webhook"] as? [String: Any])?["id"] as? String)
                _ = try await server.createTask(title: "Doomed")
                let eventId = try server.lastEventID()
                var delivery: [String: Any] = [:]
                for _ in 0..<200 {
                    delivery = (try await server.call(.get, "/api/webhooks/\(id)/deliveries").body["deliveries"]
                        as? [[String: Any]])?.first ?? [:]
                    if delivery["state"] as? String == "dead" { break }
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(delivery["state"] as? String == "dead" && delivery["attempts"] as? Int == 3, "\(delivery)")
                #expect(delivery["lastError"] as? String == "HTTP 500" && delivery["nextAttemptAt"] is NSNull)
                try await Task.sleep(for: .milliseconds(300))
                #expect(receiver.requests.count == 3, "nothing after the last attempt")

                let retried = try await server.call(.post, "/api/webhooks/\(id)/deliveries/\(eventId)/retry")
                #expect(retried.status == .ok && (retried.body["delivery"] as? [String: Any])?["state"] as? String == "pending")
                #expect(try await receiver.wait(for: 4).count == 4)
                #expect(try await server.call(.post, "/api/webhooks/\(id)/deliveries/1-0/retry").status == .notFound)
                #expect(try await server.call(.post, "/api/webhooks/\(id)/deliveries/nope/retry").status == .badRequest)
            }
        }
    }
}
