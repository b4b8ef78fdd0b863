/// An agent execution context (spec §2). Its token is never part of the record.
public struct SessionRecord: Codable, Sendable, Equatable {
    public var id: String
    public var name: String?
    /// Where the agent process is in its life.
    public var status: SessionLifecycle
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
}
