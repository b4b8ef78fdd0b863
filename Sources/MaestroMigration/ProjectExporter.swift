import MaestroDomain
import MaestroStore
import RedisClient

/// Reads a whole project out of Redis, page by page.
public enum ProjectExporter {
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
            let tasks = try readAll(
                { .tasks(scope: scope, offset: $0) }, connection, &cursors, &cursor)
            let sessions = try readAll(
                { .sessions(scope: scope, offset: $0) }, connection, &cursors, &cursor)
            let export = ProjectExport(
                projectId: scope.projectId, exportedAt: exportedAt, cursor: cursor,
                project: snapshot.project, tasks: tasks, sessions: sessions)
            if cursors.count == 1 || attempt == attempts { return (export, cursors.count == 1) }
            attempt += 1
        }
    }

    /// Every record, page by page; notes each page's cursor, so the caller knows whether the project held still.
    private static func readAll<Reply: ExportPageReply>(
        _ page: (Int) -> ExportPage<Reply>, _ connection: RedisConnection, _ cursors: inout Set<String>,
        _ cursor: inout String
    ) throws -> [Reply.Item] {
        var items: [Reply.Item] = []
        while true {
            let reply = try connection.run(page(items.count))
            cursors.insert(reply.cursor)
            cursor = reply.cursor
            items += reply.items
            if reply.items.isEmpty || items.count >= reply.total { return items }
        }
    }
}
