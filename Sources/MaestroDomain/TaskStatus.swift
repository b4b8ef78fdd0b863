/// The status a human gives a task in the dashboard (spec §4.1).
public enum TaskStatus: String, CaseIterable, Codable, Sendable {
    case todo
    case inprogress
    case completed
    case cancelled

    /// How the dashboard labels the status.
    public var label: String {
        switch self {
        case .todo: "To Do"
        case .inprogress: "In Progress"
        case .completed: "Completed"
        case .cancelled: "Cancelled"
        }
    }
}
