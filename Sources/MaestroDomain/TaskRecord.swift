/// A task with its sessions' progress, in the spec's field names (spec §2).
public struct TaskRecord: Codable, Sendable, Equatable {
    public var id: String
    public var projectId: String
    public var title: String
    public var description: String?
    /// The status a human sets.
    public var status: TaskStatus
    public var priority: TaskPriority
    /// Linked sessions, in the order they joined.
    public var sessionIds: [String]
    /// One entry per linked session, in the order of `sessionIds`.
    public var sessionProgress: [SessionProgress]
    public var parentId: String?
    public var createdAt: String
    public var updatedAt: String
    /// Grows by one with every change to the task or its progress entries; orders and de-duplicates events.
    public var version: Int

    /// The sessions' statuses summed up for display.
    public var aggregateStatus: AggregateStatus { AggregateStatus(of: sessionProgress.map(\.status)) }

    /// Creates a task record.
    public init(
        id: String, projectId: String, title: String, description: String? = nil, status: TaskStatus = .todo,
        priority: TaskPriority = .medium, sessionIds: [String] = [], sessionProgress: [SessionProgress] = [],
        parentId: String? = nil, createdAt: String, updatedAt: String, version: Int = 1
    ) {
        self.id = id
        self.projectId = projectId
        self.title = title
        self.description = description
        self.status = status
        self.priority = priority
        self.sessionIds = sessionIds
        self.sessionProgress = sessionProgress
        self.parentId = parentId
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
    }

    /// The progress entry of one session, if it is linked.
    public func progress(of sessionId: String) -> SessionProgress? {
        sessionProgress.first { $0.sessionId == sessionId }
    }
}
