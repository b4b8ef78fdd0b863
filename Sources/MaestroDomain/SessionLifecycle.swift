/// Where a session's agent process is in its life (spec §4.3).
public enum SessionLifecycle: String, CaseIterable, Codable, Sendable {
    case spawning
    case active
    case stopped
    case failed
}
