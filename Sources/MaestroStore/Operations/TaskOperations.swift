import MaestroDomain
import RedisClient

/// Creates a task (`todo`, version 1) and emits `task:created`.
public struct CreateTask: StoreOperation {
    public var scope: ProjectScope
    public var taskId: String
    public var title: String
    public var description: String?
    public var priority: TaskPriority
    public var parentId: String?
    public var idempotencyKey: String?

    public init(
        scope: ProjectScope, taskId: String, title: String, description: String? = nil,
        priority: TaskPriority = .medium, parentId: String? = nil, idempotencyKey: String? = nil
    ) {
        self.scope = scope
        self.taskId = taskId
        self.title = title
        self.description = description
        self.priority = priority
        self.parentId = parentId
        self.idempotencyKey = idempotencyKey
    }

    public var function: String { "create_task" }
    public var arguments: [String] { [taskId, title, description ?? "", priority.rawValue, parentId ?? ""] }
    public func decode(_ reply: RedisReply) throws -> TaskChange { try StoreReply.decode(TaskChange.self, from: reply) }
}

/// Changes a task's fields and/or its status (a user's change, spec §4.1); emits one `task:updated`.
///
/// Fields left nil stay as they are; an empty description removes it. Changing nothing is a no-op.
public struct UpdateTask: StoreOperation {
    public var scope: ProjectScope
    public var taskId: String
    public var title: String?
    public var description: String?
    public var priority: TaskPriority?
    public var status: TaskStatus?
    public var idempotencyKey: String?

    public init(
        scope: ProjectScope, taskId: String, title: String? = nil, description: String? = nil,
        priority: TaskPriority? = nil, status: TaskStatus? = nil, idempotencyKey: String? = nil
    ) {
        self.scope = scope
        self.taskId = taskId
        self.title = title
        self.description = description
        self.priority = priority
        self.status = status
        self.idempotencyKey = idempotencyKey
    }

    public var function: String { "update_task" }
    public var arguments: [String] {
        var fields = [taskId]
        if let title { fields += ["title", title] }
        if let description { fields += ["description", description] }
        if let priority { fields += ["priority", priority.rawValue] }
        if let status { fields += ["status", status.rawValue] }
        return fields
    }
    public func decode(_ reply: RedisReply) throws -> TaskChange { try StoreReply.decode(TaskChange.self, from: reply) }
}

/// Deletes a task with its progress entries and links; refused while it has subtasks. Emits `task:deleted`.
public struct DeleteTask: StoreOperation {
    public var scope: ProjectScope
    public var taskId: String
    public var idempotencyKey: String?

    public init(scope: ProjectScope, taskId: String, idempotencyKey: String? = nil) {
        self.scope = scope
        self.taskId = taskId
        self.idempotencyKey = idempotencyKey
    }

    public var function: String { "delete_task" }
    public var arguments: [String] { [taskId] }
    public func decode(_ reply: RedisReply) throws -> TaskDeletion {
        try StoreReply.decode(TaskDeletion.self, from: reply)
    }
}

/// Unlinks a session from a task (a user's change): drops it from sessionIds, sessionProgress and the
/// session's taskIds. Emits `task:updated`.
public struct RemoveSessionFromTask: StoreOperation {
    public var scope: ProjectScope
    public var taskId: String
    public var sessionId: String
    public var idempotencyKey: String?

    public init(scope: ProjectScope, taskId: String, sessionId: String, idempotencyKey: String? = nil) {
        self.scope = scope
        self.taskId = taskId
        self.sessionId = sessionId
        self.idempotencyKey = idempotencyKey
    }

    public var function: String { "remove_session" }
    public var arguments: [String] { [taskId, sessionId] }
    public func decode(_ reply: RedisReply) throws -> TaskChange { try StoreReply.decode(TaskChange.self, from: reply) }
}

/// Reads one task with its sessions' progress.
public struct GetTask: StoreOperation {
    public var scope: ProjectScope
    public var taskId: String

    public init(scope: ProjectScope, taskId: String) {
        self.scope = scope
        self.taskId = taskId
    }

    public var function: String { "get_task" }
    public var isReadOnly: Bool { true }
    public var arguments: [String] { [taskId] }
    public func decode(_ reply: RedisReply) throws -> TaskRecord { try StoreReply.decode(TaskRecord.self, from: reply) }
}

/// Reads a page of tasks in creation order, optionally only those with the given statuses.
public struct ListTasks: StoreOperation {
    public var scope: ProjectScope
    public var statuses: [TaskStatus]
    public var offset: Int
    public var limit: Int

    public init(scope: ProjectScope, statuses: [TaskStatus] = [], offset: Int = 0, limit: Int = 100) {
        self.scope = scope
        self.statuses = statuses
        self.offset = offset
        self.limit = limit
    }

    public var function: String { "list_tasks" }
    public var isReadOnly: Bool { true }
    public var arguments: [String] {
        [statuses.map(\.rawValue).joined(separator: ","), String(offset), String(limit)]
    }
    public func decode(_ reply: RedisReply) throws -> TaskPage { try StoreReply.decode(TaskPage.self, from: reply) }
}

/// A page of task summaries for lists that hold many tasks (the dashboard): id, title, status, priority, parent,
/// times, version and each linked session's status — no description, notes or answers. The reply is the page's JSON
/// (`{"tasks":[…],"total","cursor"}`, laid out by `TaskSummaryPage`), passed on without decoding.
///
/// With `archived`, the page comes from the archive (tasks carry `"archived":true`) and `statuses` must be empty.
public struct ListTaskSummaries: StoreOperation {
    public var page: ListTasks
    public var archived: Bool

    public init(
        scope: ProjectScope, statuses: [TaskStatus] = [], archived: Bool = false, offset: Int = 0, limit: Int = 1000
    ) {
        page = ListTasks(scope: scope, statuses: statuses, offset: offset, limit: limit)
        self.archived = archived
    }

    public var scope: ProjectScope { page.scope }
    public var function: String { page.function }
    public var isReadOnly: Bool { true }
    public var arguments: [String] {
        var arguments = page.arguments
        if archived { arguments[0] = "archived" }
        return arguments + ["summary"]
    }
    public func decode(_ reply: RedisReply) throws -> [UInt8] { try TaskSummaryPage.json(from: reply) }
}
