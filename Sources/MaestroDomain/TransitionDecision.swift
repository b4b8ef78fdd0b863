/// What a state machine says about a requested change.
public enum TransitionDecision<State: Hashable & Sendable>: Equatable, Sendable {
    /// The change is allowed and changes the state.
    case apply
    /// The state already is the target and the machine treats that as a no-op (success, no event).
    case unchanged
    /// The change is allowed as a re-report of the current state (refreshes timestamps and notes, emits an event).
    case repeatCurrent
    /// The change is refused; `allowed` lists the targets reachable from the current state.
    case refused(allowed: [State])
}
