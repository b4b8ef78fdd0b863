import MaestroDomain
import MaestroStore
import RedisClient

/// Reads a whole project out of Redis, page by page.
public enum ProjectExporter {
    /// How many records one read returns.
    public static let pageSize = 500
    /// How many times an export is read again when the project changed while it was read.
    public static let attempts = 3

    /// The project as of one moment. Pages are separate reads, so when the project changes between them
    /// (their stream cursors differ) the export is read again, up to `attempts` times; `isConsistent` tells
    /// whether the last attempt saw one moment.
    public static func export(
        _ scope: ProjectScope, from connection: RedisConnection, exportedAt: String
    ) throws -> (export: ProjectExport, isConsistent: Bool) {
        var attempt = 1
        while true {
            let snapshot = try connection.run(GetProject(scope: scope))
            var cursors: Set<String> = [snapshot.cursor]
            var cursor = snapshot.cursor
            var tasks: [TaskRecord] = []
            while true {
                let page = try connection.run(ExportTasks(scope: scope, offset: tasks.count, limit: pageSize))
                cursors.insert(page.cursor)
                cursor = page.cursor
                tasks += page.tasks
                if page.tasks.isEmpty || tasks.count >= page.total { break }
            }
            var sessions: [ExportedSession] = []
            while true {
                let page = try connection.run(ExportSessions(scope: scope, offset: sessions.count, limit: pageSize))
                cursors.insert(page.cursor)
                cursor = page.cursor
                sessions += page.sessions
                if page.sessions.isEmpty || sessions.count >= page.total { break }
            }
            let export = ProjectExport(
                projectId: scope.projectId, exportedAt: exportedAt, cursor: cursor,
                project: snapshot.project, tasks: tasks, sessions: sessions)
            if cursors.count == 1 || attempt == attempts { return (export, cursors.count == 1) }
            attempt += 1
        }
    }
}
