/// A project's own description (name, description), kept when data is migrated or imported.
///
/// Projects need no record to exist (every id is usable); this one only remembers what people called them.
public struct ProjectRecord: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var description: String?
    public var createdAt: String
    public var updatedAt: String
    /// Fields from an older system with no place in this model, kept as they were.
    public var extra: [String: JSONValue]?

    /// Creates a project record.
    public init(
        id: String, name: String, description: String? = nil, createdAt: String, updatedAt: String,
        extra: [String: JSONValue]? = nil
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.extra = extra
    }
}
