import MaestroDomain
import RedisClient

/// Reads the project record (nil when the project has none: it was never imported).
public struct GetProject: StoreOperation {
    public var scope: ProjectScope

    public init(scope: ProjectScope) { self.scope = scope }

    public var function: String { "get_project" }
    public var isReadOnly: Bool { true }
    public var arguments: [String] { [] }
    public func decode(_ reply: RedisReply) throws -> ProjectSnapshot {
        try StoreReply.decode(ProjectSnapshot.self, from: reply)
    }
}

/// Reads a page of whole tasks (with extra data) in creation order, for export.
public struct ExportTasks: StoreOperation {
    public var scope: ProjectScope
    public var offset: Int
    public var limit: Int

    public init(scope: ProjectScope, offset: Int = 0, limit: Int = 500) {
        self.scope = scope
        self.offset = offset
        self.limit = limit
    }

    public var function: String { "export_tasks" }
    public var isReadOnly: Bool { true }
    public var arguments: [String] { [String(offset), String(limit)] }
    public func decode(_ reply: RedisReply) throws -> TaskPage { try StoreReply.decode(TaskPage.self, from: reply) }
}

/// Reads a page of whole sessions (with extra data and their token's SHA-1) in creation order, for export.
public struct ExportSessions: StoreOperation {
    public var scope: ProjectScope
    public var offset: Int
    public var limit: Int

    public init(scope: ProjectScope, offset: Int = 0, limit: Int = 500) {
        self.scope = scope
        self.offset = offset
        self.limit = limit
    }

    public var function: String { "export_sessions" }
    public var isReadOnly: Bool { true }
    public var arguments: [String] { [String(offset), String(limit)] }
    public func decode(_ reply: RedisReply) throws -> ExportedSessionPage {
        try StoreReply.decode(ExportedSessionPage.self, from: reply)
    }
}
