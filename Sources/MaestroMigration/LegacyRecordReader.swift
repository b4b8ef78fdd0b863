import MaestroDomain

/// Reads the fields of one old record. Every field read is taken out; whatever is left at the end is kept as
/// extra data, together with the original of every value that could not be carried over exactly, under its
/// own name — so nothing is lost, and every fallback is noted.
struct LegacyRecordReader {
    /// The time used when a record has no readable time at all.
    static let epoch = "1970-01-01T00:00:00.000Z"

    private var fields: [String: JSONValue]
    private var kept: [String: JSONValue] = [:]
    var notes: MappingNotes

    init(_ fields: [String: JSONValue], kind: MigrationReport.RecordKind) {
        self.fields = fields
        notes = MappingNotes(kind: kind, projectId: "", id: "")
    }

    /// Takes a field out; nil when it is absent or null.
    mutating func take(_ name: String) -> JSONValue? {
        guard let value = fields.removeValue(forKey: name), value != .null else { return nil }
        return value
    }

    /// A field's value, left in place (so it stays in the extra data).
    func peek(_ name: String) -> JSONValue? {
        fields[name].flatMap { $0 == .null ? nil : $0 }
    }

    /// Keeps an original value taken out of the record as extra data.
    mutating func keep(_ name: String, _ original: JSONValue) {
        kept[name] = original
    }

    /// Notes that `field` could not be carried over exactly; its original (if any) is kept as extra data.
    mutating func fallback(_ field: String, _ original: JSONValue?, to mapped: String) {
        if let original { keep(field, original) }
        notes.fallbacks.append(
            MigrationReport.Fallback(
                kind: notes.kind, projectId: notes.projectId, id: notes.id, field: field,
                value: original?.shortDescription ?? "(missing)", mappedTo: mapped))
    }

    /// Notes something worth knowing about the record.
    mutating func warn(_ message: String) {
        notes.warnings.append(
            MigrationReport.Warning(kind: notes.kind, projectId: notes.projectId, id: notes.id, message: message))
    }

    /// The extra data: every field not taken, and every original kept; nil when there is none.
    mutating func extra() -> [String: JSONValue]? {
        let extra = fields.filter { $0.value != .null }.merging(kept) { _, original in original }
        notes.extraFields = extra.keys.sorted()
        return extra.isEmpty ? nil : extra
    }

    /// The record's project and id. The project is the directory the file was found in, else its `projectId`
    /// field, else `default` (a different `projectId` field is kept as extra data). The id is the `id` field,
    /// else the file's name. A file whose project or id is not a valid id is refused.
    mutating func identify(
        fileStem: String, directory: String?, what: String
    ) throws(MappingFailure) -> (projectId: String, id: String) {
        let projectField = take("projectId")
        let projectId = directory ?? projectField?.stringValue ?? "default"
        let idField = take("id")
        let id = idField?.stringValue ?? fileStem
        do {
            try Validation.identifier(projectId, "project id")
        } catch {
            throw MappingFailure(error.message)
        }
        do {
            try Validation.identifier(id, what)
        } catch {
            throw MappingFailure(error.message, projectId: projectId)
        }
        notes.projectId = projectId
        notes.id = id
        if let projectField, projectField.stringValue != projectId {
            keep("projectId", projectField)
            warn("its projectId \(projectField.shortDescription) differs from its directory; \(projectId) is used")
        }
        if let idField, idField.stringValue == nil { fallback("id", idField, to: id) }
        if id != fileStem { warn("its id differs from its file name \(fileStem).json; the id \(id) is used") }
        return (projectId, id)
    }

    /// A string field; a value of another type is kept as extra data and noted.
    mutating func string(_ name: String) -> String? {
        guard let value = take(name) else { return nil }
        guard let text = value.stringValue else {
            fallback(name, value, to: "none (not a string)")
            return nil
        }
        return text
    }

    /// A one-line text of at most `maxCharacters`: control characters become spaces, the ends are trimmed and a
    /// longer text is cut; any such change is noted and the original kept. A missing or empty text reads as
    /// `otherwise` (noted when there is one).
    mutating func line(_ name: String, maxCharacters: Int, otherwise: String? = nil) -> String? {
        guard let value = take(name) else {
            if let otherwise { fallback(name, nil, to: otherwise) }
            return otherwise
        }
        guard let original = value.stringValue else {
            fallback(name, value, to: otherwise ?? "none")
            return otherwise
        }
        let scalars = original.unicodeScalars.map { LegacyRecordReader.isControl($0) ? " " : $0 }
        var cleaned = String(String.UnicodeScalarView(scalars)).trimmingSpaces()
        if cleaned.unicodeScalars.count > maxCharacters {
            cleaned = String(String.UnicodeScalarView(cleaned.unicodeScalars.prefix(maxCharacters)))
        }
        let result = cleaned.isEmpty ? otherwise : cleaned
        if cleaned != original { fallback(name, value, to: result ?? "none") }
        return result
    }

    /// Free text of at most `maxBytes` UTF-8 bytes: control characters other than tab and line breaks are
    /// dropped and a longer text is cut; any such change is noted and the original kept.
    mutating func text(_ name: String, maxBytes: Int) -> String? {
        guard let original = string(name) else { return nil }
        var cleaned = String.UnicodeScalarView()
        var bytes = 0
        let breaks: Set<Unicode.Scalar> = ["\t", "\n", "\r"]
        for scalar in original.unicodeScalars where !LegacyRecordReader.isControl(scalar) || breaks.contains(scalar) {
            bytes += String(scalar).utf8.count
            if bytes > maxBytes { break }
            cleaned.append(scalar)
        }
        let text = String(cleaned)
        if text != original { fallback(name, .string(original), to: "cleaned or cut to \(maxBytes) bytes") }
        return text.isEmpty ? nil : text
    }

    /// A list of ids in order: entries that are not valid ids, and repeats, are left out (noted, and the
    /// original list kept).
    mutating func ids(_ name: String) -> [String] {
        guard let value = take(name) else { return [] }
        guard let elements = value.arrayValue else {
            fallback(name, value, to: "none (not a list)")
            return []
        }
        var ids: [String] = []
        for element in elements {
            guard let id = element.stringValue, (try? Validation.identifier(id, name)) != nil, !ids.contains(id)
            else { continue }
            ids.append(id)
        }
        if ids.count != elements.count {
            fallback(name, value, to: "the \(ids.count) valid distinct ids of \(elements.count)")
        }
        return ids
    }

    /// A time field as Maestro's time text. When it is missing or unreadable, the first readable of
    /// `substitutes` (fields left in place, such as `startedAt`) is used, else `otherwise`; an unreadable value,
    /// or a missing one without a substitute, is noted as a fallback.
    mutating func time(_ name: String, substitutes: [String] = [], otherwise: String) -> String {
        let original = take(name)
        if let original, let time = LegacyTimestamp.iso(from: original) { return time }
        let fields = self.fields
        let substitute = substitutes.lazy.compactMap { fields[$0].flatMap(LegacyTimestamp.iso(from:)) }.first
        if original != nil || substitute == nil { fallback(name, original, to: substitute ?? otherwise) }
        return substitute ?? otherwise
    }

    /// A time field read without taking it (it stays in the extra data), nil when missing or unreadable.
    func peekTime(_ name: String) -> String? {
        peek(name).flatMap(LegacyTimestamp.iso(from:))
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || scalar.value == 0x7F
    }
}

extension String {
    /// Without leading and trailing spaces.
    fileprivate func trimmingSpaces() -> String {
        let scalars = unicodeScalars.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()
        return String(String.UnicodeScalarView(scalars))
    }
}
