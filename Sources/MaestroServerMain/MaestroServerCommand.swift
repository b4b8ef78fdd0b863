import ArgumentParser
import Foundation
import Hummingbird
import Logging
import MaestroServer
import MaestroStore
import MaestroWebhooks
import NIOSSL
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

    @Option(
        help: ArgumentHelp(
            "A PEM certificate chain (the server's first): serve HTTPS and WSS instead of HTTP (default: "
                + "$MAESTRO_TLS_CERT). Needs --tls-key.", valueName: "file"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("The certificate's PEM private key (default: $MAESTRO_TLS_KEY).", valueName: "file"))
    var tlsKey: String?

    @Flag(
        help: ArgumentHelp(
            "Deliver webhooks to loopback, private, link-local and other non-public addresses too (local receivers "
                + "in development and tests; default: $MAESTRO_ALLOW_PRIVATE_WEBHOOK_TARGETS=1, else refused)."))
    var allowPrivateWebhookTargets = false

    @Flag(
        inversion: .prefixedNo,
        help: ArgumentHelp(
            "Send webhook deliveries from this process (--role api or all; default: on, or "
                + "$MAESTRO_WEBHOOK_DELIVERY=off). The API manages webhooks either way."))
    var webhookDelivery = true

    @Option(
        help: ArgumentHelp(
            "When a failed webhook delivery is tried again: comma-separated delays such as 10s,1m,1h (default: "
                + "$MAESTRO_WEBHOOK_RETRY_SCHEDULE, else \(RetrySchedule.standard): 10 attempts over about 24 h).",
            valueName: "delays"))
    var webhookRetrySchedule: String?

    @Option(
        help: ArgumentHelp(
            "Seconds a webhook delivery belongs to the server sending it; if that server dies, another sends it "
                + "after this (default: $MAESTRO_WEBHOOK_LEASE, else 30; 1-3600, longer than the request timeout).",
            valueName: "seconds"))
    var webhookLease: Double?

    @Option(
        help: ArgumentHelp(
            "Seconds one webhook request may take, from resolving the host to the answer's head (default: "
                + "$MAESTRO_WEBHOOK_TIMEOUT, else 10; 1-60). Slower answers count as failed attempts and are retried.",
            valueName: "seconds"))
    var webhookTimeout: Double?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var logger = Logger(label: "maestro-server")
        logger.logLevel = environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let dataDirectory = URL(
            fileURLWithPath: dataDir ?? environment["MAESTRO_DATA_DIR"]
                ?? (NSHomeDirectory() + "/.local/share/maestro"))

        let tls = try tlsConfiguration(environment)
        let webhooks = try webhookSettings(environment)
        let streamMaxLength = try Self.streamMaxLength(environment["MAESTRO_STREAM_MAXLEN"])
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
            do {
                try ProjectRegistry.seedIfMissing(on: setup)
            } catch {
                logger.warning(
                    "could not seed the project registry from existing data (run `maestro setup` as maestro-admin)",
                    metadata: ["error": "\(error)"])
            }
            try TaskLinksUpgrade.run(on: setup)
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
            streamMaxLength: streamMaxLength,
            publicURL: environment["MAESTRO_PUBLIC_URL"] ?? "\(tls == nil ? "http" : "https")://\(host):\(port)",
            agentRedisURL: environment["MAESTRO_AGENT_REDIS_URL"].flatMap { $0.isEmpty ? nil : $0 },
            allowedOrigins: Set(allowedOrigins),
            dashboardDirectory: dashboardDir ?? environment["MAESTRO_DASHBOARD_DIR"]
                ?? ServerContext.builtInDashboardDirectory,
            role: role, webhooks: webhooks)
        let app = try buildApplication(
            context, configuration: .init(address: .hostname(host, port: port), serverName: "maestro"), tls: tls,
            logger: logger)
        try await app.runService()
    }

    /// TLS from --tls-cert and --tls-key (or MAESTRO_TLS_CERT and MAESTRO_TLS_KEY): both or neither.
    private func tlsConfiguration(_ environment: [String: String]) throws -> TLSConfiguration? {
        let certificate = tlsCert ?? environment["MAESTRO_TLS_CERT"].flatMap { $0.isEmpty ? nil : $0 }
        let key = tlsKey ?? environment["MAESTRO_TLS_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        switch (certificate, key) {
        case (nil, nil): return nil
        case (let certificate?, let key?):
            return try ServerTLS.configuration(certificateFile: certificate, keyFile: key)
        case (nil, _): throw ValidationError("--tls-key needs --tls-cert (or MAESTRO_TLS_CERT)")
        case (_, nil): throw ValidationError("--tls-cert needs --tls-key (or MAESTRO_TLS_KEY)")
        }
    }

    /// The webhook flags, each falling back to its environment variable.
    private func webhookSettings(_ environment: [String: String]) throws -> WebhookSettings {
        func enabled(_ value: String?, _ name: String) throws -> Bool? {
            switch value?.lowercased() {
            case nil, "": return nil
            case "1", "true", "on", "yes": return true
            case "0", "false", "off", "no": return false
            case let other?: throw ValidationError("\(name) must be on or off (got '\(other)')")
            }
        }
        var settings = WebhookSettings()
        settings.allowPrivateTargets =
            try allowPrivateWebhookTargets
            || enabled(
                environment["MAESTRO_ALLOW_PRIVATE_WEBHOOK_TARGETS"], "MAESTRO_ALLOW_PRIVATE_WEBHOOK_TARGETS") == true
        settings.deliveryEnabled =
            try webhookDelivery && enabled(environment["MAESTRO_WEBHOOK_DELIVERY"], "MAESTRO_WEBHOOK_DELIVERY") != false
        if let text = webhookRetrySchedule ?? environment["MAESTRO_WEBHOOK_RETRY_SCHEDULE"], !text.isEmpty {
            do {
                settings.schedule = try RetrySchedule(parsing: text)
            } catch {
                throw ValidationError("--webhook-retry-schedule: \(error.message)")
            }
        }
        /// Seconds from the option, else from its environment variable, within `range` (nil: neither is set).
        func seconds(_ option: Double?, _ variable: String, _ what: String, in range: ClosedRange<Double>) throws
            -> Duration?
        {
            var seconds = option
            if seconds == nil, let text = environment[variable] {
                guard let value = Double(text) else {
                    throw ValidationError("\(variable) must be seconds (got '\(text)')")
                }
                seconds = value
            }
            guard let seconds else { return nil }
            guard range.contains(seconds) else {
                throw ValidationError(
                    "the \(what) must be from \(Int(range.lowerBound)) to \(Int(range.upperBound)) seconds "
                        + "(got \(seconds))")
            }
            return .milliseconds(Int64(seconds * 1000))
        }
        settings.lease =
            try seconds(webhookLease, "MAESTRO_WEBHOOK_LEASE", "webhook lease", in: 1...3600) ?? settings.lease
        settings.timeout =
            try seconds(webhookTimeout, "MAESTRO_WEBHOOK_TIMEOUT", "webhook timeout", in: 1...60) ?? settings.timeout
        guard settings.lease > settings.timeout else {
            throw ValidationError(
                "the webhook lease (\(settings.lease)) must be longer than the webhook timeout (\(settings.timeout)): "
                    + "a delivery still being sent would be sent again by another server")
        }
        return settings
    }

    /// MAESTRO_STREAM_MAXLEN: the default when unset, else a whole number from 0 (never trimmed) to 2^53.
    static func streamMaxLength(_ text: String?) throws -> Int {
        guard let text, !text.isEmpty else { return ProjectScope.defaultStreamMaxLength }
        guard let value = Int(text), (0...ProjectScope.maximumStreamMaxLength).contains(value) else {
            throw ValidationError("MAESTRO_STREAM_MAXLEN must be a whole number from 0 to 2^53 (got '\(text)')")
        }
        return value
    }
}

extension ServerRole: ExpressibleByArgument {}
