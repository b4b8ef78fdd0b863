import MaestroDomain
import RedisClient

/// One bounded step of a project's archive sweep: completed and cancelled tasks past the project's
/// `archiveAfterDays`, at most `batch` examined per status, from where the last step stopped.
public struct ArchiveSweep: StoreOperation {
    public var scope: ProjectScope
    public var batch: Int

    public init(scope: ProjectScope, batch: Int = 500) {
        self.scope = scope
        self.batch = batch
    }

    /// What a step did: the tasks it archived, and whether the pass over the project is complete.
    public struct Step: Codable, Sendable, Equatable {
        public var archived: [String]
        public var passDone: Bool
    }

    public var function: String { "archive_sweep" }
    public var arguments: [String] { [String(batch)] }
    public func decode(_ reply: RedisReply) throws -> Step { try StoreReply.decode(Step.self, from: reply) }
}

/// Brings an archived task back as it was (a user's change); emits `task:restored`.
public struct RestoreTask: StoreOperation {
    public var scope: ProjectScope
    public var taskId: String
    public var idempotencyKey: String?

    public init(scope: ProjectScope, taskId: String, idempotencyKey: String? = nil) {
        self.scope = scope
        self.taskId = taskId
        self.idempotencyKey = idempotencyKey
    }

    public var function: String { "restore_task" }
    public var arguments: [String] { [taskId] }
    public func decode(_ reply: RedisReply) throws -> TaskChange { try StoreReply.decode(TaskChange.self, from: reply) }
}
