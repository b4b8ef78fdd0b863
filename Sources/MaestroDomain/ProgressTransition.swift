/// The state machine of one session's status on one task (spec §4.2).
///
/// `nil` stands for "no progress entry yet": the only way out of it is queueing.
public enum ProgressTransition {
    /// The statuses reachable from `status` by a change (repeating the current status is always allowed too).
    public static func allowedTargets(from status: SessionStatus?) -> [SessionStatus] {
        switch status {
        case nil: [.queued]
        case .queued: [.working, .cancelled]
        case .working: [.completed, .blocked, .needsInput, .failed, .cancelled]
        case .blocked, .needsInput, .failed: [.working, .cancelled]
        case .completed: [.cancelled]
        case .cancelled: []
        }
    }

    /// Decides a reported status; an entry must exist (queue first), and a repeat is a refreshing re-report.
    public static func decide(from current: SessionStatus?, to target: SessionStatus) -> TransitionDecision<
        SessionStatus
    > {
        guard let current else { return .refused(allowed: allowedTargets(from: nil)) }
        if current == target { return .repeatCurrent }
        let allowed = allowedTargets(from: current)
        return allowed.contains(target) ? .apply : .refused(allowed: allowed)
    }
}
