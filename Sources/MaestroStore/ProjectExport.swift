import MaestroDomain

/// A whole project as `maestro export` writes it and `maestro import` reads it back: the project record,
/// every task (with its progress entries, version and extra data) and every session (with its token's SHA-1,
/// never the token), each list in creation order.
public struct ProjectExport: Codable, Sendable, Equatable {
    /// The value of `format`, which tells an export file from any other JSON.
    public static let formatName = "maestro-export"
    /// The version of the layout this code writes and reads.
    public static let currentFormatVersion = 1

    public var format: String
    public var formatVersion: Int
    public var projectId: String
    /// When the export was made (the exporting machine's clock).
    public var exportedAt: String
    /// The id of the newest event the export reflects: a live client may resume the project's stream after it.
    public var cursor: String
    public var project: ProjectRecord?
    public var tasks: [TaskRecord]
    public var sessions: [ExportedSession]

    public init(
        projectId: String, exportedAt: String, cursor: String, project: ProjectRecord?, tasks: [TaskRecord],
        sessions: [ExportedSession]
    ) {
        format = Self.formatName
        formatVersion = Self.currentFormatVersion
        self.projectId = projectId
        self.exportedAt = exportedAt
        self.cursor = cursor
        self.project = project
        self.tasks = tasks
        self.sessions = sessions
    }
}
