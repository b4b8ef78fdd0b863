import MaestroDomain

/// The transition tables of spec §4, written out literally so the domain (and, through the store tests,
/// the Redis functions) are checked against the spec rather than against themselves.
enum SpecTables {
    static let task: Set<[TaskStatus]> = [
        [.todo, .inprogress], [.todo, .completed], [.todo, .cancelled],
        [.inprogress, .completed], [.inprogress, .todo], [.inprogress, .cancelled],
        [.completed, .inprogress],
        [.cancelled, .todo],
    ]

    /// Progress changes by `task update` (a repeat of the current status is allowed besides these).
    static let progress: Set<[SessionStatus]> = [
        [.queued, .working],
        [.working, .completed], [.working, .blocked], [.working, .needsInput], [.working, .failed],
        [.blocked, .working], [.needsInput, .working], [.failed, .working],
        [.queued, .cancelled], [.working, .cancelled], [.blocked, .cancelled], [.needsInput, .cancelled],
        [.failed, .cancelled], [.completed, .cancelled],
    ]

    /// Lifecycle changes; `nil` is "no session yet".
    static let lifecycle: Set<[SessionLifecycle?]> = [
        [nil, .spawning],
        [.spawning, .active], [.spawning, .failed],
        [.active, .stopped], [.active, .failed],
        [.failed, .spawning], [.stopped, .spawning],
    ]
}
