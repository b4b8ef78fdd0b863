import MaestroDomain

/// What mapping one old record noticed: values that fell back, warnings, and the fields kept as extra data.
public struct MappingNotes: Sendable, Equatable {
    public var kind: MigrationReport.RecordKind
    public var projectId: String
    public var id: String
    public var fallbacks: [MigrationReport.Fallback] = []
    public var warnings: [MigrationReport.Warning] = []
    /// The names of the fields kept as extra data.
    public var extraFields: [String] = []
}
