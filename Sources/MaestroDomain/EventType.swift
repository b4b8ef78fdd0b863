/// The kinds of live events (spec §6.3); the raw value is the wire name.
public enum EventType: String, CaseIterable, Codable, Sendable {
    case taskCreated = "task:created"
    case taskUpdated = "task:updated"
    case taskDeleted = "task:deleted"
    case taskSessionStatus = "task:session_status"
    case taskInputAnswer = "task:input_answer"
    /// Beyond the spec: a queued or working progress entry went without a report for the project's
    /// staleAfterSeconds (`{taskId, sessionId, staleSince, version}`); the session's next report clears it.
    case taskSessionStale = "task:session_stale"
    /// A finished task left the lists for the archive (`{taskId}`).
    case taskArchived = "task:archived"
    /// An archived task came back (`{task}`).
    case taskRestored = "task:restored"
    /// A project's name, description or settings changed (`{project}`).
    case projectUpdated = "project:updated"
    case sessionSpawn = "session:spawn"
    case sessionActive = "session:active"
    case sessionStopped = "session:stopped"
    case sessionFailed = "session:failed"
    /// Beyond the spec: a supervised session's heartbeat is late (`{sessionId, unresponsiveSince}`)…
    case sessionUnresponsive = "session:unresponsive"
    /// …and came back (`{sessionId, lastHeartbeat}`).
    case sessionResponsive = "session:responsive"
}
