/// One session's own status on one task, reported by the agent through the CLI (spec §4.2).
public enum SessionStatus: String, CaseIterable, Codable, Sendable {
    case queued
    case working
    case needsInput = "needs_input"
    case blocked
    case completed
    case failed
    case cancelled

    /// The dashboard's one-character indicator.
    public var indicator: String {
        switch self {
        case .queued: "○"
        case .working: "●"
        case .needsInput: "?"
        case .blocked: "⊘"
        case .completed: "✓"
        case .failed: "✗"
        case .cancelled: "○"
        }
    }

    /// Whether an agent reporting this status should explain it with notes (the CLI warns when missing).
    public var expectsNotes: Bool { self == .blocked || self == .needsInput }
}
