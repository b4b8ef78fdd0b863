import MaestroDomain
import RedisClient

/// A project's settings, its task counts by status (archived included) and the stream id they are consistent with.
public struct ProjectOverview: Codable, Sendable, Equatable {
    public var project: ProjectSettings
    /// Tasks by status: todo, inprogress, completed, cancelled, archived.
    public var counts: [String: Int]
    public var cursor: String
}

/// Reads a project's settings and counts.
public struct GetProjectOverview: StoreOperation {
    public var scope: ProjectScope

    public init(scope: ProjectScope) { self.scope = scope }

    public var function: String { "project_overview" }
    public var isReadOnly: Bool { true }
    public var arguments: [String] { [] }
    public func decode(_ reply: RedisReply) throws -> ProjectOverview {
        try StoreReply.decode(ProjectOverview.self, from: reply)
    }
}

/// A change to a project's settings.
public struct ProjectChange: Codable, Sendable, Equatable {
    public var project: ProjectSettings
    /// Empty when nothing changed.
    public var eventIds: [String]
}

/// Changes a project's name, description or settings (a user's change); emits `project:updated`.
///
/// Fields left nil stay; an empty description removes it. Out-of-range settings are refused (INVALID_INPUT).
public struct UpdateProject: StoreOperation {
    public var scope: ProjectScope
    public var name: String?
    public var description: String?
    public var staleAfterSeconds: Int?
    public var archiveAfterDays: Int?
    public var idempotencyKey: String?

    public init(
        scope: ProjectScope, name: String? = nil, description: String? = nil, staleAfterSeconds: Int? = nil,
        archiveAfterDays: Int? = nil, idempotencyKey: String? = nil
    ) {
        self.scope = scope
        self.name = name
        self.description = description
        self.staleAfterSeconds = staleAfterSeconds
        self.archiveAfterDays = archiveAfterDays
        self.idempotencyKey = idempotencyKey
    }

    public var function: String { "update_project" }
    public var arguments: [String] {
        var fields: [String] = []
        if let name { fields += ["name", name] }
        if let description { fields += ["description", description] }
        if let staleAfterSeconds { fields += ["staleAfterSeconds", String(staleAfterSeconds)] }
        if let archiveAfterDays { fields += ["archiveAfterDays", String(archiveAfterDays)] }
        return fields
    }
    public func decode(_ reply: RedisReply) throws -> ProjectChange {
        try StoreReply.decode(ProjectChange.self, from: reply)
    }
}
