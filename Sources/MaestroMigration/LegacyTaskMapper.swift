import MaestroDomain

/// A task mapped from one old file, what the mapping noticed, and the file.
public struct MappedTask: Sendable {
    public var record: TaskRecord
    public var notes: MappingNotes
    /// The file, relative to the data directory.
    public var path: String

    /// Drops the parent link (the parent is not part of the data, or would make a cycle): the old value is
    /// kept as extra data and the change noted.
    mutating func dropParent(because reason: String) {
        guard let parentId = record.parentId else { return }
        record.parentId = nil
        record.extra = (record.extra ?? [:]).merging(["parentId": .string(parentId)]) { kept, _ in kept }
        if !notes.extraFields.contains("parentId") { notes.extraFields.append("parentId") }
        notes.fallbacks.append(
            MigrationReport.Fallback(
                kind: .task, projectId: record.projectId, id: record.id, field: "parentId", value: parentId,
                mappedTo: "none (\(reason))"))
    }
}

/// Turns one old task file into a task (spec §7): the status by the table, one progress entry per old
/// sessionId with the status the old task-wide `agentStatus` (or `sessionStatus`) gave them all and
/// `lastUpdated` = the old `updatedAt`; every other field is kept as extra data.
public enum LegacyTaskMapper {
    /// Maps the JSON object of `path`; `directory` is the project directory it lies in (nil for the flat,
    /// older layout). Refuses a file whose task or project id is invalid.
    public static func map(
        _ fields: [String: JSONValue], fileStem: String, directory: String?, path: String
    ) throws(MappingFailure) -> MappedTask {
        var reader = LegacyRecordReader(fields, kind: .task)
        let (projectId, id) = try reader.identify(fileStem: fileStem, directory: directory, what: "task id")
        let createdAt = reader.time(
            "createdAt", otherwise: reader.peekTime("updatedAt") ?? LegacyRecordReader.epoch)
        let updatedAt = reader.time("updatedAt", otherwise: createdAt)
        let title = reader.line("title", maxCharacters: Limits.titleLength, otherwise: "Untitled task \(id)")!
        let description = reader.text("description", maxBytes: Limits.descriptionBytes)
        let status = taskStatus(&reader)
        var priority = TaskPriority.medium
        if let value = reader.take("priority") {
            if let text = value.stringValue, let known = TaskPriority(rawValue: text) {
                priority = known
            } else {
                reader.fallback("priority", value, to: "medium")
            }
        }
        let sessionIds = reader.ids("sessionIds")
        let progress = progressStatus(&reader, hasSessions: !sessionIds.isEmpty)
        var parentId: String?
        if let value = reader.take("parentId") {
            if let text = value.stringValue, (try? Validation.identifier(text, "parent id")) != nil {
                parentId = text
            } else {
                reader.fallback("parentId", value, to: "none")
            }
        }
        let record = TaskRecord(
            id: id, projectId: projectId, title: title, description: description, status: status,
            priority: priority, sessionIds: sessionIds,
            sessionProgress: sessionIds.map {
                SessionProgress(sessionId: $0, status: progress, lastUpdated: updatedAt)
            },
            parentId: parentId, createdAt: createdAt, updatedAt: updatedAt, version: 1, extra: reader.extra())
        return MappedTask(record: record, notes: reader.notes, path: path)
    }

    private static func taskStatus(_ reader: inout LegacyRecordReader) -> TaskStatus {
        guard let value = reader.take("status") else {
            reader.fallback("status", nil, to: TaskStatus.todo.rawValue)
            return .todo
        }
        guard let text = value.stringValue else {
            reader.fallback("status", value, to: TaskStatus.todo.rawValue)
            return .todo
        }
        let mapped = LegacyStatusMapping.taskStatus(text)
        if mapped.isFallback {
            reader.fallback("status", value, to: mapped.status.rawValue)
        } else if text == "blocked" {
            // The one table row that loses information: keep the old value with the record.
            reader.keep("status", value)
        }
        return mapped.status
    }

    /// The status every linked session gets. `agentStatus` wins over `sessionStatus` (the other is kept); with
    /// no linked session nothing carries it, so it is kept as extra data.
    private static func progressStatus(_ reader: inout LegacyRecordReader, hasSessions: Bool) -> SessionStatus {
        let agentStatus = reader.take("agentStatus")
        let sessionStatus = reader.take("sessionStatus")
        if agentStatus != nil, let sessionStatus { reader.keep("sessionStatus", sessionStatus) }
        let field = agentStatus != nil ? "agentStatus" : "sessionStatus"
        guard let value = agentStatus ?? sessionStatus else { return .queued }
        guard hasSessions else {
            reader.keep(field, value)
            return .queued
        }
        guard let text = value.stringValue else {
            reader.fallback(field, value, to: SessionStatus.queued.rawValue)
            return .queued
        }
        let mapped = LegacyStatusMapping.progressStatus(text)
        if mapped.isFallback { reader.fallback(field, value, to: mapped.status.rawValue) }
        return mapped.status
    }
}
