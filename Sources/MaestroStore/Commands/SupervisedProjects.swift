import MaestroDomain
import RedisClient

/// Adds a project to the set lease sweepers visit (`ProjectScope.supervisedProjectsKey`); a supervisor does this
/// before it claims a session. Idempotent.
public struct AddSupervisedProject: StoreCommand {
    public var scope: ProjectScope

    public init(scope: ProjectScope) { self.scope = scope }

    public var command: RedisCommand { RedisCommand("SADD", ProjectScope.supervisedProjectsKey, scope.projectId) }

    public func decode(_ reply: RedisReply) throws {
        if case .error(let message) = reply { throw RedisError(.server, message) }
    }
}

/// The projects with supervised sessions (valid project ids only), sorted.
public struct SupervisedProjects: StoreCommand {
    public init() {}

    public var command: RedisCommand { RedisCommand("SMEMBERS", ProjectScope.supervisedProjectsKey) }

    public func decode(_ reply: RedisReply) throws -> [String] {
        if case .error(let message) = reply { throw RedisError(.server, message) }
        return (reply.array ?? []).compactMap(\.string).filter(Validation.isIdentifier).sorted()
    }
}
