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

/// A page of an export read: records in creation order, how many there are in all, and the stream cursor the
/// page is consistent with.
public protocol ExportPageReply: Decodable, Sendable {
    associatedtype Item: Sendable
    var items: [Item] { get }
    var total: Int { get }
    var cursor: String { get }
}

extension TaskPage: ExportPageReply {
    public var items: [TaskRecord] { tasks }
}

extension ExportedSessionPage: ExportPageReply {
    public var items: [ExportedSession] { sessions }
}

/// Reads one page of whole records (with extra data) in creation order, for export: `.tasks(…)` or `.sessions(…)`
/// (sessions with their token's SHA-1).
public struct ExportPage<Reply: ExportPageReply>: StoreOperation {
    /// Records per page when a whole project is read: a page of whole tasks takes Redis about 15 ms at 200, so an
    /// export never holds Redis up for long.
    public static var pageSize: Int { 200 }

    public var scope: ProjectScope
    public var offset: Int
    public var limit: Int
    public let function: String

    public var isReadOnly: Bool { true }
    public var arguments: [String] { [String(offset), String(limit)] }
    public func decode(_ reply: RedisReply) throws -> Reply { try StoreReply.decode(Reply.self, from: reply) }
}

extension ExportPage where Reply == TaskPage {
    public static func tasks(scope: ProjectScope, offset: Int = 0, limit: Int = pageSize) -> Self {
        Self(scope: scope, offset: offset, limit: limit, function: "export_tasks")
    }
}

extension ExportPage where Reply == ExportedSessionPage {
    public static func sessions(scope: ProjectScope, offset: Int = 0, limit: Int = pageSize) -> Self {
        Self(scope: scope, offset: offset, limit: limit, function: "export_sessions")
    }
}
