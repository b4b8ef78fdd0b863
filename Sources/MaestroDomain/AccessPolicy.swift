/// Who may change what (spec §3), in one place for every interface.
///
/// The Redis functions enforce what only they can prove (a session's token on its own progress); an
/// interface that knows the actor (the HTTP server, the supervisor) asks this policy before calling them.
public enum AccessPolicy {
    /// A kind of change, with what the rule depends on.
    public enum Change: Sendable, Hashable {
        /// A task's status, from → to.
        case taskStatus(from: TaskStatus, to: TaskStatus)
        /// A task's other fields (title, description, priority), creating or deleting a task.
        case taskFields
        /// A session's progress entry on a task; `owner` is the session the entry belongs to.
        case progress(owner: String)
        /// A session's lifecycle, from (nil: no session yet) → to.
        case lifecycle(from: SessionLifecycle?, to: SessionLifecycle)
        /// Removing a session from a task.
        case unlinkSession
        /// Answering a `needs_input` prompt.
        case answer
    }

    /// Whether `actor` may make `change`.
    public static func permits(_ actor: Actor, _ change: Change) -> Bool {
        switch (actor, change) {
        case (.user, .taskStatus), (.user, .taskFields), (.user, .unlinkSession), (.user, .answer):
            true
        case (.system, .taskStatus(let from, let to)):
            from == .todo && to == .inprogress
        case (.session, .taskFields):
            true  // agents may create tasks (spec §6.1 "Beyond": creating from the CLI is allowed)
        case (.session(let id), .progress(let owner)):
            id == owner
        case (.user, .lifecycle(let from, let to)):
            (from == .active && to == .stopped) || to == .spawning
        case (.session, .lifecycle(let from, let to)):
            from == nil && to == .spawning
        case (.system, .lifecycle):
            true
        default:
            false
        }
    }
}
