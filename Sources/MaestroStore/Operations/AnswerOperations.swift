import MaestroDomain
import RedisClient

/// A user's answer to the question a session asked with `needs_input`: stored on that progress entry, emitted as
/// `task:input_answer`. The session's status does not change. Refused unless the entry is `needs_input`.
public struct AnswerInput: StoreOperation {
    public var scope: ProjectScope
    public var taskId: String
    public var sessionId: String
    public var answer: String
    public var idempotencyKey: String?

    public init(scope: ProjectScope, taskId: String, sessionId: String, answer: String, idempotencyKey: String? = nil) {
        self.scope = scope
        self.taskId = taskId
        self.sessionId = sessionId
        self.answer = answer
        self.idempotencyKey = idempotencyKey
    }

    public var function: String { "answer_input" }
    public var arguments: [String] { [taskId, sessionId, answer] }
    public func decode(_ reply: RedisReply) throws -> InputAnswer {
        try StoreReply.decode(Answered.self, from: reply).answer
    }

    private struct Answered: Decodable {
        var answer: InputAnswer
    }
}

/// An answer as stored and published (`task:input_answer`).
public struct InputAnswer: Codable, Sendable, Equatable {
    public var taskId: String
    public var sessionId: String
    public var answer: String
    public var answeredAt: String
    /// The task's version afterwards.
    public var version: Int
}

/// Reads a task's history, newest first (at most the last 100 changes).
public struct GetTaskHistory: StoreOperation {
    public var scope: ProjectScope
    public var taskId: String

    public init(scope: ProjectScope, taskId: String) {
        self.scope = scope
        self.taskId = taskId
    }

    public var function: String { "task_history" }
    public var isReadOnly: Bool { true }
    public var arguments: [String] { [taskId] }
    public func decode(_ reply: RedisReply) throws -> TaskHistory {
        try StoreReply.decode(TaskHistory.self, from: reply)
    }
}

/// Who changed what on a task, newest first.
public struct TaskHistory: Codable, Sendable, Equatable {
    /// One change.
    public struct Entry: Codable, Sendable, Equatable {
        /// When (ISO-8601 UTC, Redis server time).
        public var at: String
        /// `user`, `system`, or `session:<id>`.
        public var actor: String
        /// `created`, `updated`, `status`, `progress`, `queued`, `removed`, `answer` or `restored`.
        public var action: String
        public var from: String?
        public var to: String?
        public var sessionId: String?
        public var notes: String?
        /// The fields an `updated` entry changed.
        public var fields: [String]?
    }

    public var taskId: String
    public var history: [Entry]
}
