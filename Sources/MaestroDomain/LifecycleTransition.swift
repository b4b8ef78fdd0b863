/// The session lifecycle state machine (spec §4.3), with who may trigger each transition (spec §3).
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

    /// Whether `actor` may trigger `from → to`: users spawn, stop and restart; sessions spawn other sessions;
    /// the system does everything else (start, exit, crash, lost heartbeat).
    public static func permits(_ actor: Actor, from current: SessionLifecycle?, to target: SessionLifecycle) -> Bool {
        switch actor {
        case .system: true
        case .user: (current == .active && target == .stopped) || target == .spawning
        case .session: current == nil && target == .spawning
        }
    }
}
