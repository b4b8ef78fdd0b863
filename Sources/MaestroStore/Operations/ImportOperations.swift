import MaestroDomain
import RedisClient

/// What an import does with a record Redis already holds (see `Lua/imports.lua`).
public enum ImportPolicy: String, CaseIterable, Sendable {
    /// Replace it only when it is older: its `updatedAt` is earlier than the imported record's.
    case newer
    /// Replace it whatever its age.
    case force
}

/// Writes a whole task as given (migration, `maestro import`): fields, version, timestamps, progress entries
/// in order, extra data; keeps the indexes, the parent's subtasks and the sessions' task lists in step.
/// Emits `task:created` or `task:updated`; a dry run only reports what it would do. A task marked `archived` (as an
/// export has it) goes to the archive at once (`task:archived`); one archived here is compared and replaced as it
/// is, never doubled by a live copy.
public struct ImportTask: StoreOperation {
    public var scope: ProjectScope
    public var task: TaskRecord
    public var policy: ImportPolicy
    public var dryRun: Bool
    public var idempotencyKey: String?

    public init(
        scope: ProjectScope, task: TaskRecord, policy: ImportPolicy = .newer, dryRun: Bool = false,
        idempotencyKey: String? = nil
    ) {
        self.scope = scope
        self.task = task
        self.policy = policy
        self.dryRun = dryRun
        self.idempotencyKey = idempotencyKey
    }

    public var function: String { "import_task" }
    public var arguments: [String] {
        var arguments = [
            policy.rawValue, dryRun ? "1" : "0", task.id, task.title, task.description ?? "", task.status.rawValue,
            task.priority.rawValue, task.parentId ?? "", task.createdAt, task.updatedAt, String(task.version),
            ImportArguments.extra(task.extra), task.archived ? "1" : "0",
        ]
        for entry in task.sessionProgress {
            arguments += [
                entry.sessionId, entry.status.rawValue, entry.lastUpdated, entry.notes ?? "", entry.answer ?? "",
                entry.answeredAt ?? "",
            ]
        }
        return arguments
    }
    public func decode(_ reply: RedisReply) throws -> ImportOutcome {
        try StoreReply.decode(ImportOutcome.self, from: reply)
    }
}

/// Writes a whole session as given, with its token's SHA-1 (so its token keeps working) and its task links.
/// Import sessions after their tasks: tasks are the authority on links. Emits `session:spawn`.
public struct ImportSession: StoreOperation {
    public var scope: ProjectScope
    public var session: SessionRecord
    /// The SHA-1 (40 lowercase hex digits) of the session's token; nil for a session no process can act as.
    public var tokenHash: String?
    public var policy: ImportPolicy
    public var dryRun: Bool
    public var idempotencyKey: String?

    public init(
        scope: ProjectScope, session: SessionRecord, tokenHash: String? = nil, policy: ImportPolicy = .newer,
        dryRun: Bool = false, idempotencyKey: String? = nil
    ) {
        self.scope = scope
        self.session = session
        self.tokenHash = tokenHash
        self.policy = policy
        self.dryRun = dryRun
        self.idempotencyKey = idempotencyKey
    }

    public var function: String { "import_session" }
    public var arguments: [String] {
        [
            policy.rawValue, dryRun ? "1" : "0", session.id, session.name ?? "", session.status.rawValue,
            session.legacyStatus ?? "", session.spawnSource.rawValue, session.createdAt, session.updatedAt,
            session.error ?? "", session.host ?? "", session.pid.map(String.init) ?? "", session.lastHeartbeat ?? "",
            tokenHash ?? "", ImportArguments.extra(session.extra),
        ] + session.taskIds
    }
    public func decode(_ reply: RedisReply) throws -> ImportOutcome {
        try StoreReply.decode(ImportOutcome.self, from: reply)
    }
}

/// Writes the project record (name, description, extra data) of the scope's project. Emits no event.
public struct ImportProject: StoreOperation {
    public var scope: ProjectScope
    public var project: ProjectRecord
    public var policy: ImportPolicy
    public var dryRun: Bool
    public var idempotencyKey: String?

    public init(
        scope: ProjectScope, project: ProjectRecord, policy: ImportPolicy = .newer, dryRun: Bool = false,
        idempotencyKey: String? = nil
    ) {
        self.scope = scope
        self.project = project
        self.policy = policy
        self.dryRun = dryRun
        self.idempotencyKey = idempotencyKey
    }

    public var function: String { "import_project" }
    public var arguments: [String] {
        [
            policy.rawValue, dryRun ? "1" : "0", project.name, project.description ?? "", project.createdAt,
            project.updatedAt, ImportArguments.extra(project.extra),
        ]
    }
    public func decode(_ reply: RedisReply) throws -> ImportOutcome {
        try StoreReply.decode(ImportOutcome.self, from: reply)
    }
}

enum ImportArguments {
    /// Extra data as the library stores it: canonical JSON, or '' for none.
    static func extra(_ extra: [String: JSONValue]?) -> String {
        extra.map { JSONValue.object($0).canonicalText } ?? ""
    }
}
