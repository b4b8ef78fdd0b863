/// An agent execution context (spec §2). Its token is never part of the record.
public struct SessionRecord: Codable, Sendable, Equatable {
    public var id: String
    public var name: String?
    /// Where the agent process is in its life.
    public var status: SessionLifecycle
    /// The status an imported session had in the old system when it has no exact equivalent (spec §7).
    public var legacyStatus: String?
    /// Linked tasks, kept in sync with each task's `sessionIds`.
    public var taskIds: [String]
    public var projectId: String
    public var spawnSource: SpawnSource
    public var createdAt: String
    public var updatedAt: String
    /// Why the session failed, when it did.
    public var error: String?
    /// Where it runs and when it last proved alive, when a supervisor reports them.
    public var host: String?
    public var pid: Int?
    public var lastHeartbeat: String?
    /// When the supervisor's heartbeat became late (half its TTL without one); removed by the next heartbeat. The
    /// session is failed when the whole TTL has passed.
    public var unresponsiveSince: String?
    /// Fields from an older system with no place in this model (migration), kept as they were; read by
    /// single-session reads and export, not carried by events or lists.
    public var extra: [String: JSONValue]?

    /// Creates a session record.
    public init(
        id: String, name: String? = nil, status: SessionLifecycle, legacyStatus: String? = nil,
        taskIds: [String] = [], projectId: String, spawnSource: SpawnSource, createdAt: String, updatedAt: String,
        error: String? = nil, host: String? = nil, pid: Int? = nil, lastHeartbeat: String? = nil,
        extra: [String: JSONValue]? = nil
    ) {
        self.id = id
        self.name = name
        self.status = status
        self.legacyStatus = legacyStatus
        self.taskIds = taskIds
        self.projectId = projectId
        self.spawnSource = spawnSource
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.error = error
        self.host = host
        self.pid = pid
        self.lastHeartbeat = lastHeartbeat
        self.extra = extra
    }
}
