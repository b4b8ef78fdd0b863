import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MaestroServer
import MaestroStore
import RedisClient
import RedisTestSupport

/// A live maestro server on a free port, on a private redis-server, for one test.
struct LiveServer: Sendable {
    static let userToken = "mut_test_user_token_0123456789"

    let client: any TestClientProtocol
    let port: Int
    let redis: RedisTestServer
    let relay: EventRelay
    let metrics: ServerMetrics

    /// Runs `body` against a fresh server; `queueLimit` is the relay's per-client queue.
    /// `sharing` runs a second server (with its own relay) on another test's Redis.
    static func run(
        queueLimit: Int = 1000, streamMaxLength: Int = 0, sharing: RedisTestServer? = nil,
        keepAliveInterval: Duration = .seconds(15), sweepInterval: Duration = .seconds(1),
        webhooks: WebhookSettings = WebhookSettings(),
        _ body: @Sendable (LiveServer) async throws -> Void
    ) async throws {
        let redis: RedisTestServer
        if let sharing { redis = sharing } else { redis = try await RedisTestServer.start() }
        defer { if sharing == nil { redis.stop() } }
        try FunctionLibrary.install(on: redis.connect())
        var calls = redis.configuration
        calls.commandTimeout = .seconds(2)  // as maestro-server's --redis-timeout: a stalled Redis is a 503
        let pool = RedisConnectionPool(configuration: calls, size: 2)
        defer { pool.shutdown() }
        var logger = Logger(label: "maestro-test")
        logger.logLevel = .warning
        let metrics = ServerMetrics()
        let relay = EventRelay(
            configuration: redis.configuration, queueLimit: queueLimit, keepAliveInterval: keepAliveInterval,
            metrics: metrics, logger: logger)
        let context = ServerContext(
            pool: pool, relay: relay, metrics: metrics, userToken: userToken, relayQueueLimit: queueLimit,
            streamMaxLength: streamMaxLength, publicURL: "http://127.0.0.1", agentRedisURL: redis.url,
            sweepInterval: sweepInterval, dashboardDirectory: ServerContext.builtInDashboardDirectory,
            webhooks: webhooks)
        // One keep-alive connection serves the whole test, and hummingbird's test client does not reconnect: a test
        // that pauses (a loaded machine, a wait for a process) must not find it closed for being idle.
        let app = try buildApplication(
            context, configuration: .init(address: .hostname("127.0.0.1", port: 0)), idleTimeout: .seconds(600),
            logger: logger)
        try await app.test(.live) { client in
            while !relay.isReady { try await Task.sleep(for: .milliseconds(10)) }
            try await body(
                LiveServer(client: client, port: client.port!, redis: redis, relay: relay, metrics: metrics))
        }
    }

    /// Sends a request and returns the status and the JSON body.
    @discardableResult
    func call(
        _ method: HTTPRequest.Method, _ path: String, token: String? = LiveServer.userToken, json: String? = nil
    ) async throws -> (status: HTTPResponse.Status, body: [String: Any]) {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        let response = try await client.execute(
            uri: path, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
        let object = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
        return (response.status, object)
    }

    /// Creates a task and returns its id.
    func createTask(project: String = "p", title: String = "A task") async throws -> String {
        let (_, body) = try await call(.post, "/api/tasks", json: #"{"projectId":"\#(project)","title":"\#(title)"}"#)
        return body["id"] as! String
    }

    /// Spawns a session queued on `taskIds` and returns its id and token.
    func spawnSession(project: String = "p", taskIds: [String]) async throws -> (id: String, token: String) {
        let ids = taskIds.map { "\"\($0)\"" }.joined(separator: ",")
        let (_, body) = try await call(
            .post, "/api/sessions", json: #"{"projectId":"\#(project)","taskIds":[\#(ids)]}"#)
        return ((body["session"] as! [String: Any])["id"] as! String, body["token"] as! String)
    }

    /// A counter's value in the server's metrics (0 when it is not there yet).
    func counter(_ name: String) -> Int {
        let line = metrics.exposition().split(separator: "\n").first { $0.hasPrefix(name + " ") }
        return line.flatMap { Int(Double($0.split(separator: " ").last ?? "") ?? 0) } ?? 0
    }

    /// The id of the newest event of a project.
    func lastEventID(project: String = "p") throws -> String {
        let reply = try redis.connect().send(
            RedisCommand("XREVRANGE", "mae:{\(project)}:events", "+", "-", "COUNT", "1"))
        return reply.array?.first?.array?.first?.string ?? "0-0"
    }
}
