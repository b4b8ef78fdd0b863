/// How urgent a task is; `medium` when not given.
public enum TaskPriority: String, CaseIterable, Codable, Sendable {
    case low
    case medium
    case high
    case urgent
}
