import MaestroHTTPClient
import MaestroDomain
import MaestroStore
import RedisClient

#if canImport(Glibc)
    import Glibc
#endif

/// The exact message of spec §6.1 for a command run outside a session.
struct NoSession: Error {
    let message = "No session found. This command must be run from a session."
}

/// The session context and connection settings, read from the environment (spec §6.1a).
struct CLIEnvironment {
    static let defaultRedisURL = "redis://127.0.0.1:6379"

    var sessionId: String?
    var sessionToken: String?
    var projectId: String
    var redisURL: String
    /// Set when MAESTRO_REDIS_URL was given; without it, MAESTRO_URL (if set) selects the HTTP API.
    var redisURLGiven: Bool
    var maestroURL: String?
    /// A PEM bundle of CAs trusted for `https://` besides the system's.
    var caFile: String?
    /// The Redis URL sessions this process creates may be given (MAESTRO_AGENT_REDIS_URL): never this process's own.
    var agentRedisURL: String?
    var userToken: String?
    var streamMaxLength: Int
    var connectTimeout: Duration
    /// How long a command may wait for Redis's reply (a stalled Redis fails the command after it, exit 6).
    var commandTimeout: Duration
    /// Replicas each write waits for (MAESTRO_WAIT_REPLICAS, MAESTRO_WAIT_TIMEOUT).
    var replication: WriteReplication

    /// Reads MAESTRO_SESSION_ID, MAESTRO_SESSION_TOKEN, MAESTRO_PROJECT_ID, MAESTRO_REDIS_URL, MAESTRO_URL,
    /// MAESTRO_CA_FILE, MAESTRO_AGENT_REDIS_URL, MAESTRO_USER_TOKEN, MAESTRO_STREAM_MAXLEN, MAESTRO_CONNECT_TIMEOUT and MAESTRO_COMMAND_TIMEOUT (seconds),
    /// MAESTRO_WAIT_REPLICAS and MAESTRO_WAIT_TIMEOUT.
    static func current() throws -> CLIEnvironment {
        func value(_ name: String) -> String? {
            guard let raw = getenv(name) else { return nil }
            let text = String(cString: raw)
            return text.isEmpty ? nil : text
        }
        func seconds(_ name: String, default fallback: Duration) throws -> Duration {
            guard let text = value(name) else { return fallback }
            guard let seconds = Double(text), seconds > 0, seconds <= 60 else {
                throw MaestroError(.invalidInput, "\(name) must be 0-60 seconds (got '\(text)')")
            }
            return .milliseconds(Int64(seconds * 1000))
        }
        var maxLength = ProjectScope.defaultStreamMaxLength
        if let text = value("MAESTRO_STREAM_MAXLEN") {
            guard let number = Int(text), (0...ProjectScope.maximumStreamMaxLength).contains(number) else {
                throw MaestroError(
                    .invalidInput, "MAESTRO_STREAM_MAXLEN must be a whole number from 0 to 2^53 (got '\(text)')")
            }
            maxLength = number
        }
        return CLIEnvironment(
            sessionId: value("MAESTRO_SESSION_ID"),
            sessionToken: value("MAESTRO_SESSION_TOKEN"),
            projectId: value("MAESTRO_PROJECT_ID") ?? ProjectScope.defaultProjectId,
            redisURL: value("MAESTRO_REDIS_URL") ?? defaultRedisURL,
            redisURLGiven: value("MAESTRO_REDIS_URL") != nil,
            maestroURL: value("MAESTRO_URL"),
            caFile: value("MAESTRO_CA_FILE"),
            agentRedisURL: value("MAESTRO_AGENT_REDIS_URL"),
            userToken: value("MAESTRO_USER_TOKEN"),
            streamMaxLength: maxLength,
            connectTimeout: try seconds("MAESTRO_CONNECT_TIMEOUT", default: .seconds(3)),
            commandTimeout: try seconds("MAESTRO_COMMAND_TIMEOUT", default: .seconds(10)),
            replication: try WriteReplication(
                replicas: value("MAESTRO_WAIT_REPLICAS"), timeout: value("MAESTRO_WAIT_TIMEOUT")))
    }

    /// The project the commands work in.
    func scope() throws -> ProjectScope {
        try ProjectScope(projectId: projectId, streamMaxLength: streamMaxLength)
    }

    /// A connection to the configured Redis (opened by the first command).
    func connection() throws -> RedisConnection {
        var configuration = try RedisConfiguration(url: redisURL)
        configuration.connectTimeout = connectTimeout
        configuration.commandTimeout = commandTimeout
        replication.apply(to: &configuration)
        return RedisConnection(configuration)
    }

    /// Redis directly, or the HTTP API when only MAESTRO_URL is set.
    func backend() throws -> any MaestroBackend {
        guard !redisURLGiven, let maestroURL else {
            return RedisBackend(connection: try connection(), scope: try scope())
        }
        let url: MaestroURL
        do {
            url = try MaestroURL(maestroURL)
        } catch {
            throw MaestroError(.invalidInput, error.message)
        }
        let connection = HTTPConnection(url: url, caFile: caFile, connectTimeout: connectTimeout)
        let session = sessionId.flatMap { id in sessionToken.map { SessionCredentials(sessionId: id, token: $0) } }
        return HTTPBackend(connection: connection, scope: try scope(), session: session, userToken: userToken)
    }

    /// How a session this process creates reaches Maestro: MAESTRO_URL when set, and a Redis URL only when one was
    /// configured for agents (MAESTRO_AGENT_REDIS_URL) — never this process's own Redis credentials.
    var sessionReachability: [(String, String)] {
        var variables: [(String, String)] = []
        if let maestroURL { variables.append(("MAESTRO_URL", maestroURL)) }
        if let agentRedisURL { variables.append(("MAESTRO_REDIS_URL", agentRedisURL)) }
        return variables
    }

    /// The session this process acts as; refuses with the spec's message when there is none.
    func session() throws -> SessionCredentials {
        guard let sessionId else { throw NoSession() }
        try Validation.identifier(sessionId, "session id (MAESTRO_SESSION_ID)")
        guard let sessionToken else {
            throw MaestroError(
                .forbidden, "MAESTRO_SESSION_TOKEN is not set; it is issued with the session (maestro session create)")
        }
        return SessionCredentials(sessionId: sessionId, token: sessionToken)
    }
}
