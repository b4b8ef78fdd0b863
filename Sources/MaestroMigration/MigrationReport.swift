import MaestroDomain
import MaestroStore

/// What a migration or an import did, record by record where it matters: counts per kind and outcome, values
/// mapped by fallback, fields kept as extra data, records left alone because Redis had newer ones, warnings,
/// and every file or record that could not be imported, with the reason.
public struct MigrationReport: Codable, Sendable, Equatable {
    /// The kinds of record.
    public enum RecordKind: String, Codable, Sendable, CaseIterable {
        case project, task, session
    }

    /// How many records of one kind had each outcome.
    public struct Counts: Codable, Sendable, Equatable {
        public var created = 0
        public var updated = 0
        public var unchanged = 0
        public var skipped = 0
        public var failed = 0

        /// Created or updated.
        public var imported: Int { created + updated }
    }

    /// A value the mapping tables had no row for (or that broke a limit), and what it became. The original
    /// stays in the record's extra data under the same field name.
    public struct Fallback: Codable, Sendable, Equatable {
        public var kind: RecordKind
        public var projectId: String
        public var id: String
        public var field: String
        /// The old value, as JSON (strings without quotes), cut when long.
        public var value: String
        public var mappedTo: String
    }

    /// A record not written because Redis holds a newer (or an equally recent but different) one.
    public struct Skip: Codable, Sendable, Equatable {
        public var kind: RecordKind
        public var projectId: String
        public var id: String
        /// `newer` or `conflict`.
        public var reason: String
        /// The updatedAt of the record Redis kept.
        public var current: String
        /// The updatedAt of the record that was not written.
        public var incoming: String
    }

    /// Something worth knowing about a record that was imported (a dangling link, a renamed id, …).
    public struct Warning: Codable, Sendable, Equatable {
        public var kind: RecordKind
        public var projectId: String
        public var id: String
        public var message: String
    }

    /// A file that could not be read or mapped, or a record Redis refused; none of it was imported.
    public struct Failure: Codable, Sendable, Equatable {
        /// The file, relative to the data directory (migration) or the import file.
        public var path: String?
        public var kind: RecordKind?
        public var projectId: String?
        public var id: String?
        public var message: String
    }

    public var dryRun: Bool
    public var projects = Counts()
    public var tasks = Counts()
    public var sessions = Counts()
    public var fallbacks: [Fallback] = []
    /// Fields kept as extra data, as `kind.field` with how many records had them.
    public var extraFields: [String: Int] = [:]
    public var skipped: [Skip] = []
    public var warnings: [Warning] = []
    public var failures: [Failure] = []
    /// Files in the data directory that are not old records (not `.json`, or not regular files).
    public var ignoredFiles: [String] = []

    public init(dryRun: Bool) { self.dryRun = dryRun }

    /// Whether anything could not be imported (the CLI then exits non-zero).
    public var hasFailures: Bool { !failures.isEmpty }

    /// The counts of one kind.
    public subscript(kind: RecordKind) -> Counts {
        get {
            switch kind {
            case .project: projects
            case .task: tasks
            case .session: sessions
            }
        }
        set {
            switch kind {
            case .project: projects = newValue
            case .task: tasks = newValue
            case .session: sessions = newValue
            }
        }
    }

    /// Counts one record's outcome.
    public mutating func count(_ outcome: ImportOutcome.Kind, of kind: RecordKind) {
        switch outcome {
        case .created: self[kind].created += 1
        case .updated: self[kind].updated += 1
        case .unchanged: self[kind].unchanged += 1
        case .skipped: self[kind].skipped += 1
        }
    }

    /// Adds what mapping one record found.
    mutating func add(_ notes: MappingNotes) {
        fallbacks += notes.fallbacks
        warnings += notes.warnings
        for field in notes.extraFields { extraFields["\(notes.kind.rawValue).\(field)", default: 0] += 1 }
    }
}
