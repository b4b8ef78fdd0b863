import MaestroDomain

/// A change to a task: the task as it is now and the ids of the events the change emitted.
public struct TaskChange: Codable, Sendable, Equatable {
    public var task: TaskRecord
    /// Empty when the call changed nothing (for example, setting the status a task already has).
    public var eventIds: [String]
}

/// A deleted task.
public struct TaskDeletion: Codable, Sendable, Equatable {
    public var taskId: String
    public var eventIds: [String]
}

/// One page of a project's tasks, consistent with every event up to `cursor`.
public struct TaskPage: Codable, Sendable, Equatable {
    public var tasks: [TaskRecord]
    /// How many tasks match the filter in all.
    public var total: Int
    /// The id of the newest event the page reflects; resume the event stream after it.
    public var cursor: String
}

/// A session's reported status on a task, after the change.
public struct ProgressChange: Codable, Sendable, Equatable {
    public var taskId: String
    public var sessionId: String
    public var status: SessionStatus
    public var notes: String?
    public var lastUpdated: String
    public var previousStatus: SessionStatus
    /// The task's status afterwards (`inprogress` when this report started it).
    public var taskStatus: TaskStatus
    /// The task's version afterwards.
    public var version: Int
    /// One id for the progress event, and a second when the task moved to `inprogress`.
    public var eventIds: [String]
}

/// The outcome of queueing tasks for a session.
public struct QueueResult: Codable, Sendable, Equatable {
    /// One entry per task.
    public struct QueuedTask: Codable, Sendable, Equatable {
        public var taskId: String
        /// False when the session was already linked to the task (nothing changed).
        public var queued: Bool
        /// The session's status on the task afterwards.
        public var status: SessionStatus
        public var version: Int
    }

    public var tasks: [QueuedTask]
    public var eventIds: [String]

    public init(tasks: [QueuedTask], eventIds: [String]) {
        self.tasks = tasks
        self.eventIds = eventIds
    }
}

/// A change to a session: the session as it is now and the events emitted.
public struct SessionChange: Codable, Sendable, Equatable {
    public var session: SessionRecord
    public var eventIds: [String]
}

/// One page of a project's sessions, consistent with every event up to `cursor`.
public struct SessionPage: Codable, Sendable, Equatable {
    public var sessions: [SessionRecord]
    public var total: Int
    public var cursor: String
}
