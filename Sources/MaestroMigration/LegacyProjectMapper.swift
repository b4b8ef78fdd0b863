import MaestroDomain

/// A project record mapped from one old file, what the mapping noticed, and the file.
public struct MappedProject: Sendable {
    public var record: ProjectRecord
    public var notes: MappingNotes
    /// The file, relative to the data directory.
    public var path: String
}

/// Turns one old project file into a project record: its name and description are kept (spec §7), every
/// other field (workingDir, …) as extra data.
public enum LegacyProjectMapper {
    /// Maps the JSON object of `path`. Refuses a file whose project id is invalid.
    public static func map(
        _ fields: [String: JSONValue], fileStem: String, path: String
    ) throws(MappingFailure) -> MappedProject {
        var reader = LegacyRecordReader(fields, kind: .project)
        let idField = reader.take("id")
        let id = idField?.stringValue ?? fileStem
        do {
            try Validation.identifier(id, "project id")
        } catch {
            throw MappingFailure(error.message)
        }
        reader.notes.projectId = id
        reader.notes.id = id
        if let idField, idField.stringValue == nil { reader.fallback("id", idField, to: id) }
        if id != fileStem { reader.warn("its id differs from its file name \(fileStem).json; the id \(id) is used") }
        let createdAt = reader.time(
            "createdAt", otherwise: reader.peekTime("updatedAt") ?? LegacyRecordReader.epoch)
        let updatedAt = reader.time("updatedAt", otherwise: createdAt)
        let name = reader.line("name", maxCharacters: Limits.nameLength, otherwise: id)!
        let description = reader.text("description", maxBytes: Limits.descriptionBytes)
        let record = ProjectRecord(
            id: id, name: name, description: description, createdAt: createdAt, updatedAt: updatedAt,
            extra: reader.extra())
        return MappedProject(record: record, notes: reader.notes, path: path)
    }
}
