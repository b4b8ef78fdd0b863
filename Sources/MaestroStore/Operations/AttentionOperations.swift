import MaestroDomain
import RedisClient

/// One bounded step of a project's stale sweep: progress entries in queued or working with no report for the
/// project's `staleAfterSeconds` get `staleSince` and one `task:session_stale` each — exactly once, whichever of
/// several servers sweeps.
public struct SweepStale: StoreOperation {
    public var scope: ProjectScope

    public init(scope: ProjectScope) { self.scope = scope }

    /// What a step marked, and whether another step has work left.
    public struct Step: Codable, Sendable, Equatable {
        public struct Entry: Codable, Sendable, Equatable {
            public var taskId: String
            public var sessionId: String
        }
        public var stale: [Entry]
        public var more: Bool
    }

    public var function: String { "sweep_stale" }
    public var arguments: [String] { [] }
    public func decode(_ reply: RedisReply) throws -> Step { try StoreReply.decode(Step.self, from: reply) }
}

/// The tasks that have a stale progress entry, the longest stale first (at most `limit`; `total` counts them all).
public struct ListStaleTasks: StoreOperation {
    public var scope: ProjectScope
    public var limit: Int

    public init(scope: ProjectScope, limit: Int = 100) {
        self.scope = scope
        self.limit = limit
    }

    public var function: String { "list_stale" }
    public var isReadOnly: Bool { true }
    public var arguments: [String] { [String(limit)] }
    public func decode(_ reply: RedisReply) throws -> TaskPage { try StoreReply.decode(TaskPage.self, from: reply) }
}

/// One page of a project's sessions as the fleet view shows them: each with its progress entries counted by status,
/// how many are stale, and its heartbeat's age.
public struct ListFleetSessions: StoreOperation {
    public var scope: ProjectScope
    public var offset: Int
    public var limit: Int

    public init(scope: ProjectScope, offset: Int = 0, limit: Int = 1000) {
        self.scope = scope
        self.offset = offset
        self.limit = limit
    }

    /// A session and what it is doing.
    public struct Row: Codable, Sendable, Equatable {
        public var session: SessionRecord
        /// Its progress entries by session status (statuses it has none in are left out).
        public var progress: [String: Int]
        /// How many of its progress entries are stale.
        public var stale: Int
        /// Seconds since its supervisor's last heartbeat, for supervised sessions (Redis clock).
        public var heartbeatAgeSeconds: Int?
    }

    public struct Page: Codable, Sendable, Equatable {
        public var sessions: [Row]
        public var total: Int
        public var cursor: String
    }

    public var function: String { "fleet_sessions" }
    public var isReadOnly: Bool { true }
    public var arguments: [String] { [String(offset), String(limit)] }
    public func decode(_ reply: RedisReply) throws -> Page { try StoreReply.decode(Page.self, from: reply) }
}
