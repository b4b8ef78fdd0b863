/// A task's sessions summed up for display (spec §5).
public enum AggregateStatus: String, CaseIterable, Codable, Sendable {
    case noSessions = "no_sessions"
    case needsInput = "needs_input"
    case blocked
    /// A session on the task stopped reporting (queued or working past the project's staleAfterSeconds).
    case stale
    case working
    case queued
    case allCompleted = "all_completed"
    case allFailed = "all_failed"

    /// Derives the aggregate from the sessions' statuses and whether any entry is stale; the first matching rule
    /// wins.
    public init(of statuses: some Collection<SessionStatus>, anyStale: Bool = false) {
        if statuses.isEmpty {
            self = .noSessions
        } else if statuses.contains(.needsInput) {
            self = .needsInput
        } else if statuses.contains(.blocked) {
            self = .blocked
        } else if anyStale {
            self = .stale
        } else if statuses.contains(.working) {
            self = .working
        } else if statuses.contains(.queued) {
            self = .queued
        } else if statuses.allSatisfy({ $0 == .completed }) {
            self = .allCompleted
        } else if statuses.allSatisfy({ $0 == .failed }) {
            self = .allFailed
        } else {
            self = .working
        }
    }
}
