import MaestroDomain

/// A session mapped from one old file, what the mapping noticed, and the file.
public struct MappedSession: Sendable {
    public var record: SessionRecord
    public var notes: MappingNotes
    /// The file, relative to the data directory.
    public var path: String
}

/// Turns one old session file into a session (spec §7): same id, name and links; the lifecycle by the table
/// (never left running: imported sessions are not supervised), the old status kept as `legacyStatus`;
/// every other field (hostname, env, events, …) kept as extra data. Imported sessions have no token.
public enum LegacySessionMapper {
    /// Maps the JSON object of `path`. Refuses a file whose session or project id is invalid.
    public static func map(
        _ fields: [String: JSONValue], fileStem: String, path: String
    ) throws(MappingFailure) -> MappedSession {
        var reader = LegacyRecordReader(fields, kind: .session)
        let (projectId, id) = try reader.identify(fileStem: fileStem, directory: nil, what: "session id")
        let createdAt = reader.time(
            "createdAt", substitutes: ["startedAt"],
            otherwise: reader.peekTime("updatedAt") ?? reader.peekTime("lastActivity") ?? LegacyRecordReader.epoch)
        let updatedAt = reader.time(
            "updatedAt", substitutes: ["lastActivity", "completedAt"], otherwise: createdAt)
        let name = reader.line("name", maxCharacters: Limits.nameLength)
        var status = SessionLifecycle.stopped
        var legacyStatus: String?
        if let value = reader.take("status"), let text = value.stringValue {
            let mapped = LegacyStatusMapping.lifecycle(text)
            status = mapped.status
            legacyStatus = mapped.legacyStatus
            if mapped.isFallback { reader.fallback("status", value, to: status.rawValue) }
            if let legacy = legacyStatus, !isShortLine(legacy) {
                legacyStatus = nil
                reader.keep("status", value)
            }
        } else {
            reader.fallback("status", fields["status"].flatMap { $0 == .null ? nil : $0 }, to: status.rawValue)
        }
        let taskIds = reader.ids("taskIds")
        var spawnSource = SpawnSource.ui
        if let value = reader.take("spawnSource") {
            if let text = value.stringValue, let known = SpawnSource(rawValue: text) {
                spawnSource = known
            } else {
                reader.fallback("spawnSource", value, to: spawnSource.rawValue)
            }
        }
        let error = reader.text("error", maxBytes: Limits.notesBytes)
        let record = SessionRecord(
            id: id, name: name, status: status, legacyStatus: legacyStatus, taskIds: taskIds, projectId: projectId,
            spawnSource: spawnSource, createdAt: createdAt, updatedAt: updatedAt, error: error,
            extra: reader.extra())
        return MappedSession(record: record, notes: reader.notes, path: path)
    }

    /// Whether a text fits where the store keeps a short one-line value (a name, a legacy status).
    static func isShortLine(_ text: String) -> Bool {
        text.unicodeScalars.count <= Limits.nameLength
            && !text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }
}
