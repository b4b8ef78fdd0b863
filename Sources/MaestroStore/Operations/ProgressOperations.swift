import MaestroDomain
import RedisClient

/// Links tasks to the calling session as `queued` (spec §4.2); already linked tasks are left alone.
/// All tasks or none: an unknown or cancelled task refuses the whole call.
public struct QueueTasks: StoreOperation {
    public var scope: ProjectScope
    public var session: SessionCredentials
    public var taskIds: [String]
    public var idempotencyKey: String?

    public init(scope: ProjectScope, session: SessionCredentials, taskIds: [String], idempotencyKey: String? = nil) {
        self.scope = scope
        self.session = session
        self.taskIds = taskIds
        self.idempotencyKey = idempotencyKey
    }

    public var function: String { "queue_tasks" }
    public var arguments: [String] { [session.sessionId, session.token] + taskIds }
    public func decode(_ reply: RedisReply) throws -> QueueResult {
        try StoreReply.decode(QueueResult.self, from: reply)
    }
}

/// Reports the calling session's status on a task (spec §4.2); `working` on a `todo` task also starts the task.
public struct UpdateProgress: StoreOperation {
    public var scope: ProjectScope
    public var session: SessionCredentials
    public var taskId: String
    public var status: SessionStatus
    /// Why; nil or empty clears the previous notes.
    public var notes: String?
    public var idempotencyKey: String?

    public init(
        scope: ProjectScope, session: SessionCredentials, taskId: String, status: SessionStatus,
        notes: String? = nil, idempotencyKey: String? = nil
    ) {
        self.scope = scope
        self.session = session
        self.taskId = taskId
        self.status = status
        self.notes = notes
        self.idempotencyKey = idempotencyKey
    }

    public var function: String { "update_progress" }
    public var arguments: [String] { [taskId, session.sessionId, session.token, status.rawValue, notes ?? ""] }
    public func decode(_ reply: RedisReply) throws -> ProgressChange {
        try StoreReply.decode(ProgressChange.self, from: reply)
    }
}
