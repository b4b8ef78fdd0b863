import Hummingbird
import MaestroDomain
import MaestroStore
import RedisClient

/// What every route needs: the store's pool, the relay, who may do what, and how clients reach this server.
public struct ServerContext: Sendable {
    public let pool: RedisConnectionPool
    public let relay: EventRelay
    public let metrics: ServerMetrics
    let authenticator: Authenticator
    /// How many events a streaming client may fall behind before it is disconnected.
    public let relayQueueLimit: Int
    /// The event stream cap passed to every write.
    public let streamMaxLength: Int
    /// What a spawned session's environment says to reach Maestro: this server, and Redis when agents may use it.
    public let publicURL: String
    public let agentRedisURL: String?
    /// Origins allowed to open WebSockets besides the server's own (empty: only the server's own).
    public let allowedOrigins: Set<String>
    /// How often the sweepers look for late and lost heartbeats and for stale work.
    public let sweepInterval: Duration
    /// The dashboard's files (served at `/`), or nil to serve none.
    public let dashboardDirectory: String?
    /// What this process serves.
    public let role: ServerRole
    /// How webhooks are delivered (and which targets are allowed).
    public let webhooks: WebhookSettings

    public init(
        pool: RedisConnectionPool, relay: EventRelay, metrics: ServerMetrics, userToken: String,
        relayQueueLimit: Int = 1000,
        streamMaxLength: Int = ProjectScope.defaultStreamMaxLength, publicURL: String, agentRedisURL: String?,
        allowedOrigins: Set<String> = [], sweepInterval: Duration = .seconds(1),
        dashboardDirectory: String? = nil, role: ServerRole = .all, webhooks: WebhookSettings = WebhookSettings()
    ) {
        self.pool = pool
        self.relay = relay
        self.metrics = metrics
        self.authenticator = Authenticator(userToken: userToken)
        self.relayQueueLimit = relayQueueLimit
        self.streamMaxLength = streamMaxLength
        self.publicURL = publicURL
        self.agentRedisURL = agentRedisURL
        self.allowedOrigins = allowedOrigins
        self.sweepInterval = sweepInterval
        self.dashboardDirectory = dashboardDirectory
        self.role = role
        self.webhooks = webhooks
    }

    /// The dashboard of the source tree this server was built from (`Dashboard/` at the repository's root).
    public static let builtInDashboardDirectory: String = {
        var path = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        path.removeLast(3)  // Sources/MaestroServer/ServerContext.swift
        return path.joined(separator: "/") + "/Dashboard"
    }()

    /// Runs one function-library call, counting writes by kind and result.
    func run<Operation: StoreOperation>(_ operation: Operation) async throws -> Operation.Response {
        guard !operation.isReadOnly else { return try await execute(operation) }
        do {
            let response = try await execute(operation)
            metrics.transition(kind: operation.function, result: "ok")
            return response
        } catch let error as MaestroError {
            metrics.transition(kind: operation.function, result: error.code.name)
            throw error
        } catch {
            metrics.transition(kind: operation.function, result: "ERROR")
            throw error
        }
    }

    /// Runs one function-library call; when Redis has lost the library (FUNCTION FLUSH, a new Redis behind the
    /// same address), loads it again and retries once — the failed call ran nothing. Another version loaded by
    /// another server is left alone: that call fails with a clear STALE_LIBRARY error (503).
    func execute<Operation: StoreOperation>(_ operation: Operation) async throws -> Operation.Response {
        do {
            return try await pool.run(operation)
        } catch let error as StoreError where error.code == .libraryMissing {
            try await pool.withConnection {
                try FunctionLibrary.install(on: $0)
                try TaskLinksUpgrade.run(on: $0)
            }
            return try await pool.run(operation)
        }
    }

    /// Adds a project to the registry before a write that may be its first (creating a task, spawning a session).
    func register(_ scope: ProjectScope) async throws {
        try await pool.execute(RegisterProject(scope: scope))
    }

    /// The project named by a request's `projectId` query parameter.
    func scope(of request: Request) throws -> ProjectScope {
        try scope(request.uri.queryParameters.get("projectId"))
    }

    /// The page a list request asks for: `offset` (default 0) and `limit` (1-1000, default 100).
    func page(of request: Request) throws -> (offset: Int, limit: Int) {
        func integer(_ name: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
            guard let text = request.uri.queryParameters.get(name) else { return value }
            guard let number = Int(text), range.contains(number) else {
                throw APIError.badRequest(
                    "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }
        return (
            try integer("offset", default: 0, in: 0...Int(Int32.max)), try integer("limit", default: 100, in: 1...1000)
        )
    }

    /// The project a request names (`projectId` query parameter, `default` when absent).
    func scope(_ projectId: String?) throws -> ProjectScope {
        try ProjectScope(projectId: projectId ?? ProjectScope.defaultProjectId, streamMaxLength: streamMaxLength)
    }
}
