/// The session lifecycle state machine (spec §4.3); who may trigger what is `AccessPolicy`.
public enum LifecycleTransition {
    /// The lifecycle states reachable from `status`; `nil` is "no session yet".
    public static func allowedTargets(from status: SessionLifecycle?) -> [SessionLifecycle] {
        switch status {
        case nil: [.spawning]
        case .spawning: [.active, .failed]
        case .active: [.stopped, .failed]
        case .stopped, .failed: [.spawning]
        }
    }

    /// Decides a change; a lifecycle never "changes" to the state it is in.
    public static func decide(
        from current: SessionLifecycle?, to target: SessionLifecycle
    ) -> TransitionDecision<SessionLifecycle> {
        let allowed = allowedTargets(from: current)
        return allowed.contains(target) ? .apply : .refused(allowed: allowed)
    }
}
