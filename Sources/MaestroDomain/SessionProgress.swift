/// One session's status on one task.
public struct SessionProgress: Codable, Sendable, Equatable {
    /// The session this entry belongs to.
    public var sessionId: String
    /// What the session last reported.
    public var status: SessionStatus
    /// When it last reported (ISO-8601 UTC, Redis server time).
    public var lastUpdated: String
    /// Why, for blocked, needs_input, failed or cancelled; for needs_input, the session's question.
    public var notes: String?
    /// A user's answer to the needs_input question, once there is one (a new needs_input clears it).
    public var answer: String?
    /// When the answer was given (ISO-8601 UTC).
    public var answeredAt: String?
    /// When the entry became stale: queued or working with no report for the project's `staleAfterSeconds`. Set by
    /// the server's sweep, removed by the session's next report.
    public var staleSince: String?

    /// Creates an entry.
    public init(
        sessionId: String, status: SessionStatus, lastUpdated: String, notes: String? = nil, answer: String? = nil,
        answeredAt: String? = nil, staleSince: String? = nil
    ) {
        self.sessionId = sessionId
        self.status = status
        self.lastUpdated = lastUpdated
        self.notes = notes
        self.answer = answer
        self.answeredAt = answeredAt
        self.staleSince = staleSince
    }
}
