/// One session's status on one task.
public struct SessionProgress: Codable, Sendable, Equatable {
    /// The session this entry belongs to.
    public var sessionId: String
    /// What the session last reported.
    public var status: SessionStatus
    /// When it last reported (ISO-8601 UTC, Redis server time).
    public var lastUpdated: String
    /// Why, for blocked, needs_input, failed or cancelled.
    public var notes: String?

    /// Creates an entry.
    public init(sessionId: String, status: SessionStatus, lastUpdated: String, notes: String? = nil) {
        self.sessionId = sessionId
        self.status = status
        self.lastUpdated = lastUpdated
        self.notes = notes
    }
}
