import MaestroDomain
import MaestroStore

/// The records of one project to import, in order: the project record, tasks (parents first), then sessions
/// (tasks are the authority on links, so sessions come after them).
public struct ImportBatch: Sendable {
    public var projectId: String
    public var project: ProjectRecord?
    public var tasks: [TaskRecord]
    public var sessions: [ExportedSession]
    /// Where records came from, by `ImportBatch.key(kind, id)`, for reports.
    public var sources: [String: String]

    public init(
        projectId: String, project: ProjectRecord? = nil, tasks: [TaskRecord] = [],
        sessions: [ExportedSession] = [], sources: [String: String] = [:]
    ) {
        self.projectId = projectId
        self.project = project
        self.tasks = tasks
        self.sessions = sessions
        self.sources = sources
    }

    /// How many records the batch writes.
    public var count: Int { (project == nil ? 0 : 1) + tasks.count + sessions.count }

    /// The key of a record in `sources`.
    public static func key(_ kind: MigrationReport.RecordKind, _ id: String) -> String { "\(kind.rawValue)/\(id)" }
}
