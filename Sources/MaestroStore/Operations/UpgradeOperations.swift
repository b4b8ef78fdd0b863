import MaestroDomain
import RedisClient

/// One step of folding the task-links lists of libraries before version 9 into each task's hash (the next 500 tasks
/// of the project by creation order); `more` while tasks are left. Harmless to repeat: a folded task has no list.
public struct UpgradeTaskLinks: StoreOperation {
    public var scope: ProjectScope

    public init(scope: ProjectScope) { self.scope = scope }

    public struct Step: Codable, Sendable, Equatable {
        public var more: Bool
    }

    public var function: String { "upgrade_task_links" }
    public var arguments: [String] { [] }
    public func decode(_ reply: RedisReply) throws -> Step { try StoreReply.decode(Step.self, from: reply) }
}
