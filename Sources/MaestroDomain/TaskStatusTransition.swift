/// The task status state machine (spec §4.1): set by users, plus one automatic `todo → inprogress`.
public enum TaskStatusTransition {
    /// The targets a user may move a task to from `status`, in a stable order.
    public static func allowedTargets(from status: TaskStatus) -> [TaskStatus] {
        switch status {
        case .todo: [.inprogress, .completed, .cancelled]
        case .inprogress: [.completed, .todo, .cancelled]
        case .completed: [.inprogress]
        case .cancelled: [.todo]
        }
    }

    /// Decides a change from `current` to `target`; setting the current status again is a no-op.
    public static func decide(from current: TaskStatus, to target: TaskStatus) -> TransitionDecision<TaskStatus> {
        if current == target { return .unchanged }
        let allowed = allowedTargets(from: current)
        return allowed.contains(target) ? .apply : .refused(allowed: allowed)
    }

    /// The one automatic transition: a task still `todo` moves to `inprogress` when a session newly starts working
    /// (its entry goes from `previous` into `working`). A repeated `working` starts nothing, so a user's move back
    /// to To Do stands.
    public static func automaticTarget(
        current: TaskStatus, previous: SessionStatus?, reported: SessionStatus
    ) -> TaskStatus? {
        current == .todo && reported == .working && previous != .working ? .inprogress : nil
    }
}
