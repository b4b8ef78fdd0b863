import ArgumentParser
import Foundation
import Hummingbird
import Logging
import MaestroServer
import MaestroStore
import RedisClient

/// `maestro-server`: the HTTP API, the live event streams and the relay, on Redis — by default a private
/// redis-server it starts and stops itself.
@main
struct MaestroServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "maestro-server",
        abstract: "Serve Maestro's HTTP API and live event streams.",
        discussion: """
            Without MAESTRO_REDIS_URL it starts its own redis-server (AOF on) with its data in the data directory, \
            and stops it on shutdown. With MAESTRO_REDIS_URL it checks that Redis is 7 or newer with \
            maxmemory-policy noeviction. Either way it loads the function library. The user token comes from \
            MAESTRO_USER_TOKEN, or is generated at first start, printed once and kept in the data directory.
            Any number of servers of any role can share one Redis: `--role api` serves the HTTP API and the \
            dashboard, `--role relay` only the live streams (it writes nothing, loads nothing, and works with the \
            maestro-relay ACL user), `--role all` (the default) both.
            """)

    @Option(help: "What to serve: all, api (HTTP API and dashboard) or relay (the live streams /ws and /events).")
    var role: ServerRole = .all

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0: any free port, printed at start).")
    var port = 8080

    @Option(
        help: "Where the embedded Redis and the user token live (default: $MAESTRO_DATA_DIR or ~/.local/share/maestro)."
    )
    var dataDir: String?

    @Option(
        name: .customLong("allowed-origin"),
        help: "A browser origin, besides the server's own, allowed to open WebSockets (repeatable).")
    var allowedOrigins: [String] = []

    @Option(help: "How many events a streaming client may fall behind before it is disconnected.")
    var relayQueueLimit = 1000

    @Option(help: "Seconds a Redis call may take before the request fails with 503 (a stalled Redis).")
    var redisTimeout = 3.0

    @Option(
        help: "The dashboard's files, served at / (default: $MAESTRO_DASHBOARD_DIR, else the source tree's Dashboard).")
    var dashboardDir: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var logger = Logger(label: "maestro-server")
        logger.logLevel = environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let dataDirectory = URL(
            fileURLWithPath: dataDir ?? environment["MAESTRO_DATA_DIR"]
                ?? (NSHomeDirectory() + "/.local/share/maestro"))

        var embedded: EmbeddedRedis?
        let redisURL: String
        if let url = environment["MAESTRO_REDIS_URL"], !url.isEmpty {
            redisURL = url
        } else {
            let started = try EmbeddedRedis(directory: dataDirectory.appendingPathComponent("redis"), logger: logger)
            embedded = started
            redisURL = started.url
        }
        defer { embedded?.stop() }

        let redis = try RedisConfiguration(url: redisURL)
        let setup = RedisConnection(redis)
        if role.servesAPI {
            if embedded == nil { try RedisPreflight.check(setup) }
            try FunctionLibrary.install(on: setup)
        }
        setup.close()

        let (userToken, isNew) = try UserToken.resolve(
            environment: environment["MAESTRO_USER_TOKEN"], dataDirectory: dataDirectory)
        if isNew {
            FileHandle.standardError.write(
                Data(
                    "maestro-server: generated the user token (kept in \(dataDirectory.path)/user-token):\n\(userToken)\n"
                        .utf8))
        }

        var calls = redis
        calls.commandTimeout = .milliseconds(Int64(max(0.1, redisTimeout) * 1000))
        try WriteReplication(
            replicas: environment["MAESTRO_WAIT_REPLICAS"], timeout: environment["MAESTRO_WAIT_TIMEOUT"]
        ).apply(to: &calls)
        let pool = RedisConnectionPool(configuration: calls, size: 4)
        defer { pool.shutdown() }
        let metrics = ServerMetrics()
        let relay = EventRelay(configuration: redis, queueLimit: relayQueueLimit, metrics: metrics, logger: logger)
        let context = ServerContext(
            pool: pool, relay: relay, metrics: metrics, userToken: userToken, relayQueueLimit: relayQueueLimit,
            streamMaxLength: Int(environment["MAESTRO_STREAM_MAXLEN"] ?? "") ?? ProjectScope.defaultStreamMaxLength,
            publicURL: environment["MAESTRO_PUBLIC_URL"] ?? "http://\(host):\(port)",
            agentRedisURL: Self.agentRedisURL(environment["MAESTRO_AGENT_REDIS_URL"], server: redis, serverURL: redisURL),
            allowedOrigins: Set(allowedOrigins),
            dashboardDirectory: dashboardDir ?? environment["MAESTRO_DASHBOARD_DIR"]
                ?? ServerContext.builtInDashboardDirectory,
            role: role)
        let app = buildApplication(
            context, configuration: .init(address: .hostname(host, port: port), serverName: "maestro"), logger: logger)
        try await app.runService()
    }

    /// The Redis URL spawned sessions get as MAESTRO_REDIS_URL: MAESTRO_AGENT_REDIS_URL when set (an agent user's
    /// URL), else the server's own only if it holds no credentials — the server's password is never handed out;
    /// without one, agents use MAESTRO_URL.
    static func agentRedisURL(_ configured: String?, server: RedisConfiguration, serverURL: String) -> String? {
        if let configured { return configured.isEmpty ? nil : configured }
        return server.password == nil ? serverURL : nil
    }
}

extension ServerRole: ExpressibleByArgument {}
