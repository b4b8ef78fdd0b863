import MaestroDomain
import RedisClient

/// Creates a session as `spawning` (emits `session:spawn`) and queues it on the given tasks.
///
/// The token is chosen by the caller (see `RandomIdentifier.token()`); Redis keeps only its SHA-1.
public struct SpawnSession: StoreOperation {
    public var scope: ProjectScope
    public var credentials: SessionCredentials
    public var name: String?
    public var spawnSource: SpawnSource
    public var host: String?
    public var pid: Int?
    public var taskIds: [String]
    public var idempotencyKey: String?

    public init(
        scope: ProjectScope, credentials: SessionCredentials, name: String? = nil, spawnSource: SpawnSource,
        host: String? = nil, pid: Int? = nil, taskIds: [String] = [], idempotencyKey: String? = nil
    ) {
        self.scope = scope
        self.credentials = credentials
        self.name = name
        self.spawnSource = spawnSource
        self.host = host
        self.pid = pid
        self.taskIds = taskIds
        self.idempotencyKey = idempotencyKey
    }

    public var function: String { "spawn_session" }
    public var arguments: [String] {
        [
            credentials.sessionId, credentials.token, name ?? "", spawnSource.rawValue, host ?? "",
            pid.map(String.init) ?? "",
        ]
            + taskIds
    }
    public func decode(_ reply: RedisReply) throws -> SessionChange {
        try StoreReply.decode(SessionChange.self, from: reply)
    }
}

/// Moves a session along its lifecycle (spec §4.3); `spawning` is a restart. Emits the matching event.
///
/// Asked by the user (`byUser`), only a user's changes are allowed (spec §3: stop an active session, restart a
/// stopped or failed one), checked in the same call, so a retry with the idempotency key gets the first reply.
public struct ChangeLifecycle: StoreOperation {
    public var scope: ProjectScope
    public var sessionId: String
    public var target: SessionLifecycle
    /// Why the session failed, for `failed`.
    public var error: String?
    /// Whether a user asks (the HTTP API's stop and restart) rather than the system.
    public var byUser: Bool
    public var idempotencyKey: String?

    public init(
        scope: ProjectScope, sessionId: String, target: SessionLifecycle, error: String? = nil, byUser: Bool = false,
        idempotencyKey: String? = nil
    ) {
        self.scope = scope
        self.sessionId = sessionId
        self.target = target
        self.error = error
        self.byUser = byUser
        self.idempotencyKey = idempotencyKey
    }

    public var function: String { "set_lifecycle" }
    public var arguments: [String] { [sessionId, target.rawValue, error ?? "", byUser ? "user" : "system"] }
    public func decode(_ reply: RedisReply) throws -> SessionChange {
        try StoreReply.decode(SessionChange.self, from: reply)
    }
}

/// Reads one session.
public struct GetSession: StoreOperation {
    public var scope: ProjectScope
    public var sessionId: String

    public init(scope: ProjectScope, sessionId: String) {
        self.scope = scope
        self.sessionId = sessionId
    }

    public var function: String { "get_session" }
    public var isReadOnly: Bool { true }
    public var arguments: [String] { [sessionId] }
    public func decode(_ reply: RedisReply) throws -> SessionRecord {
        try StoreReply.decode(SessionRecord.self, from: reply)
    }
}

/// Checks that a token is a session's own (for interfaces that authenticate sessions, such as the HTTP API).
public struct CheckSession: StoreOperation {
    public var scope: ProjectScope
    public var credentials: SessionCredentials

    public init(scope: ProjectScope, credentials: SessionCredentials) {
        self.scope = scope
        self.credentials = credentials
    }

    public var function: String { "check_session" }
    public var isReadOnly: Bool { true }
    public var arguments: [String] { [credentials.sessionId, credentials.token] }
    public func decode(_ reply: RedisReply) throws {
        guard reply.string == "OK" else { throw StoreError(.unexpectedReply, "unexpected reply \(reply)") }
    }
}

/// Reads a page of sessions in creation order.
public struct ListSessions: StoreOperation {
    public var scope: ProjectScope
    public var offset: Int
    public var limit: Int

    public init(scope: ProjectScope, offset: Int = 0, limit: Int = 100) {
        self.scope = scope
        self.offset = offset
        self.limit = limit
    }

    public var function: String { "list_sessions" }
    public var isReadOnly: Bool { true }
    public var arguments: [String] { [String(offset), String(limit)] }
    public func decode(_ reply: RedisReply) throws -> SessionPage {
        try StoreReply.decode(SessionPage.self, from: reply)
    }
}
