import MaestroDomain
import MaestroStore

/// Makes the mapped old records of each project consistent and puts them in import order.
///
/// - Links: a task's `sessionIds` is the authority (each is a progress entry, spec §7). A session's task
///   list keeps its own order for the tasks that list it, then gains the tasks that list it but it lacked;
///   entries no task confirms are left out (the old list is kept as extra data).
/// - Parents: a parent that is not among the project's tasks, or that closes a cycle, is dropped (kept as
///   extra data, reported).
/// - Order: by creation time then id, parents before their subtasks.
/// - Two files with the same record id: the most recently updated wins, the other is reported as failed.
public enum MigrationPlanner {
    /// One batch per project (sorted by project id), only `project` when given. Notes go into `report`.
    public static func batches(
        tasks: [MappedTask], sessions: [MappedSession], projects: [MappedProject], only project: String? = nil,
        report: inout MigrationReport
    ) -> [ImportBatch] {
        func wanted(_ projectId: String) -> Bool { project == nil || project == projectId }
        let tasksByProject = Dictionary(grouping: tasks.filter { wanted($0.record.projectId) }) { $0.record.projectId }
        let sessionsByProject = Dictionary(grouping: sessions.filter { wanted($0.record.projectId) }) {
            $0.record.projectId
        }
        let projectsById = Dictionary(grouping: projects.filter { wanted($0.record.id) }) { $0.record.id }
        let projectIds = Set(tasksByProject.keys).union(sessionsByProject.keys).union(projectsById.keys).sorted()
        return projectIds.map { projectId in
            var batch = ImportBatch(projectId: projectId)
            if let project = newest(projectsById[projectId] ?? [], kind: .project, report: &report) {
                report.add(project.notes)
                batch.project = project.record
                batch.sources[ImportBatch.key(.project, projectId)] = project.path
            }
            var projectTasks = unique(tasksByProject[projectId] ?? [], kind: .task, report: &report) {
                ($0.record.id, $0.record.updatedAt, $0.path)
            }
            var projectSessions = unique(sessionsByProject[projectId] ?? [], kind: .session, report: &report) {
                ($0.record.id, $0.record.updatedAt, $0.path)
            }
            projectTasks = ordered(projectTasks)
            link(&projectSessions, to: &projectTasks)
            for task in projectTasks {
                report.add(task.notes)
                batch.tasks.append(task.record)
                batch.sources[ImportBatch.key(.task, task.record.id)] = task.path
            }
            projectSessions.sort { ($0.record.createdAt, $0.record.id) < ($1.record.createdAt, $1.record.id) }
            for session in projectSessions {
                report.add(session.notes)
                batch.sessions.append(ExportedSession(session: session.record))
                batch.sources[ImportBatch.key(.session, session.record.id)] = session.path
            }
            return batch
        }
    }

    private static func newest(
        _ projects: [MappedProject], kind: MigrationReport.RecordKind, report: inout MigrationReport
    ) -> MappedProject? {
        unique(projects, kind: kind, report: &report) { ($0.record.id, $0.record.updatedAt, $0.path) }.first
    }

    /// One record per id: the latest `updatedAt` wins (then the first path); the others are failures.
    private static func unique<Record>(
        _ records: [Record], kind: MigrationReport.RecordKind, report: inout MigrationReport,
        _ identity: (Record) -> (id: String, updatedAt: String, path: String)
    ) -> [Record] {
        var winners: [String: Record] = [:]
        var order: [String] = []
        for record in records {
            let (id, updatedAt, path) = identity(record)
            guard let current = winners[id] else {
                winners[id] = record
                order.append(id)
                continue
            }
            let kept = identity(current)
            let replace = updatedAt > kept.updatedAt
            let loser = replace ? (path, kept.path) : (kept.path, path)
            if replace { winners[id] = record }
            report[kind].failed += 1
            report.failures.append(
                MigrationReport.Failure(
                    path: loser.1, kind: kind, id: id,
                    message: "another file has the same \(kind.rawValue) id and a later or equal updatedAt: \(loser.0)")
            )
        }
        return order.compactMap { winners[$0] }
    }

    /// Creation order, parents first; parents outside the project or closing a cycle are dropped.
    private static func ordered(_ tasks: [MappedTask]) -> [MappedTask] {
        var tasks = tasks.sorted { ($0.record.createdAt, $0.record.id) < ($1.record.createdAt, $1.record.id) }
        let index = Dictionary(uniqueKeysWithValues: tasks.enumerated().map { ($1.record.id, $0) })
        for position in tasks.indices {
            if let parentId = tasks[position].record.parentId, index[parentId] == nil {
                tasks[position].dropParent(because: "task \(parentId) is not in this project's data")
            }
        }
        let (order, cycleBreaks) = TaskOrdering.parentsFirst(tasks.map { $0.record.parentId.flatMap { index[$0] } })
        for position in cycleBreaks { tasks[position].dropParent(because: "it would make a cycle of parents") }
        return order.map { tasks[$0] }
    }

    /// Makes the sessions' task lists agree with the tasks' session lists (see the type's documentation).
    private static func link(_ sessions: inout [MappedSession], to tasks: inout [MappedTask]) {
        var listedBy: [String: [String]] = [:]
        for task in tasks {
            for sessionId in task.record.sessionIds { listedBy[sessionId, default: []].append(task.record.id) }
        }
        let known = Set(sessions.map(\.record.id))
        for position in tasks.indices {
            let missing = tasks[position].record.sessionIds.filter { !known.contains($0) }
            if !missing.isEmpty {
                tasks[position].notes.warnings.append(
                    MigrationReport.Warning(
                        kind: .task, projectId: tasks[position].record.projectId, id: tasks[position].record.id,
                        message: "lists session(s) with no session file in this project: "
                            + missing.joined(separator: ", ") + " (their progress entries are kept)"))
            }
        }
        for position in sessions.indices {
            let session = sessions[position].record
            let confirmed = listedBy[session.id] ?? []
            let confirmedSet = Set(confirmed)
            let ownOrder = session.taskIds.filter { confirmedSet.contains($0) }
            let links = ownOrder + confirmed.filter { !ownOrder.contains($0) }
            let unconfirmed = session.taskIds.filter { !confirmedSet.contains($0) }
            sessions[position].record.taskIds = links
            guard !unconfirmed.isEmpty else { continue }
            var extra = session.extra ?? [:]
            if extra["taskIds"] == nil { extra["taskIds"] = .array(session.taskIds.map { .string($0) }) }
            sessions[position].record.extra = extra
            if !sessions[position].notes.extraFields.contains("taskIds") {
                sessions[position].notes.extraFields.append("taskIds")
            }
            sessions[position].notes.warnings.append(
                MigrationReport.Warning(
                    kind: .session, projectId: session.projectId, id: session.id,
                    message: "its taskIds name task(s) that do not list it or do not exist: "
                        + unconfirmed.joined(separator: ", ") + " (left out; the old list is kept as extra data)"))
        }
    }
}
