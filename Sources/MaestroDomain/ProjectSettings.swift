/// A project as people see and set it: its name and description, and the settings that shape its lists.
public struct ProjectSettings: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var description: String?
    /// When the project's record was made (nil: it has none; every setting is its default).
    public var createdAt: String?
    public var updatedAt: String?
    /// How long a queued or working entry may go without a report before it counts as stale (60-604800; 1800).
    public var staleAfterSeconds: Int
    /// How long a completed or cancelled task stays in the lists before it is archived (1-3650 days; 14).
    public var archiveAfterDays: Int
}
