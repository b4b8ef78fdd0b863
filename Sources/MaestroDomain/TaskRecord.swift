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
    /// Fields from an older system with no place in this model (migration), kept as they were; read by
    /// `task show` and export, not carried by events or lists.
    public var extra: [String: JSONValue]?
    /// Whether the task is in the project's archive (finished long ago; restorable, out of the lists).
    public var archived: Bool = false
    /// What a user may want to set this inprogress task to now that every session on it has finished: completed when
    /// one completed, todo when all failed or were cancelled. Offered, never applied (spec §4.1).
    public var suggestedStatus: TaskStatus?

    /// The sessions' statuses summed up for display.
    public var aggregateStatus: AggregateStatus {
        AggregateStatus(of: sessionProgress.map(\.status), anyStale: sessionProgress.contains { $0.staleSince != nil })
    }

    /// Creates a task record.
    public init(
        id: String, projectId: String, title: String, description: String? = nil, status: TaskStatus = .todo,
        priority: TaskPriority = .medium, sessionIds: [String] = [], sessionProgress: [SessionProgress] = [],
        parentId: String? = nil, createdAt: String, updatedAt: String, version: Int = 1,
        extra: [String: JSONValue]? = nil
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
        self.extra = extra
    }

    private enum CodingKeys: String, CodingKey {
        case id, projectId, title, description, status, priority, sessionIds, sessionProgress, parentId
        case createdAt, updatedAt, version, extra, archived, suggestedStatus, aggregateStatus
    }

    /// Decodes the spec's fields; a derived `aggregateStatus` in the input is ignored.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        projectId = try container.decode(String.self, forKey: .projectId)
        title = try container.decode(String.self, forKey: .title)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        status = try container.decode(TaskStatus.self, forKey: .status)
        priority = try container.decode(TaskPriority.self, forKey: .priority)
        sessionIds = try container.decode([String].self, forKey: .sessionIds)
        sessionProgress = try container.decode([SessionProgress].self, forKey: .sessionProgress)
        parentId = try container.decodeIfPresent(String.self, forKey: .parentId)
        createdAt = try container.decode(String.self, forKey: .createdAt)
        updatedAt = try container.decode(String.self, forKey: .updatedAt)
        version = try container.decode(Int.self, forKey: .version)
        extra = try container.decodeIfPresent([String: JSONValue].self, forKey: .extra)
        archived = try container.decodeIfPresent(Bool.self, forKey: .archived) ?? false
        suggestedStatus = try container.decodeIfPresent(TaskStatus.self, forKey: .suggestedStatus)
    }

    /// Encodes the spec's fields plus the derived `aggregateStatus`, for readers that do not derive it.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(projectId, forKey: .projectId)
        try container.encode(title, forKey: .title)
        try container.encodeIfPresent(description, forKey: .description)
        try container.encode(status, forKey: .status)
        try container.encode(priority, forKey: .priority)
        try container.encode(sessionIds, forKey: .sessionIds)
        try container.encode(sessionProgress, forKey: .sessionProgress)
        try container.encodeIfPresent(parentId, forKey: .parentId)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(version, forKey: .version)
        try container.encodeIfPresent(extra, forKey: .extra)
        if archived { try container.encode(true, forKey: .archived) }
        try container.encodeIfPresent(suggestedStatus, forKey: .suggestedStatus)
        try container.encode(aggregateStatus, forKey: .aggregateStatus)
    }

    /// The progress entry of one session, if it is linked.
    public func progress(of sessionId: String) -> SessionProgress? {
        sessionProgress.first { $0.sessionId == sessionId }
    }
}
