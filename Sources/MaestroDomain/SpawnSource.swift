/// Who started a session: a user in the dashboard, or another session.
public enum SpawnSource: String, CaseIterable, Codable, Sendable {
    case ui
    case session
}
