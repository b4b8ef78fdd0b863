import MaestroDomain

/// The status tables of spec §7. Each answers the new value and whether it was a fallback (the table had no
/// row for the old value), which the migration reports.
public enum LegacyStatusMapping {
    /// Old task status → task status. `inprogress`, the new name, maps to itself; anything else → todo.
    public static func taskStatus(_ old: String) -> (status: TaskStatus, isFallback: Bool) {
        switch old {
        case "pending", "todo": (.todo, false)
        case "in_progress", "inprogress", "blocked": (.inprogress, false)
        case "completed": (.completed, false)
        case "cancelled": (.cancelled, false)
        default: (.todo, true)
        }
    }

    /// Old session status → lifecycle. Imported sessions are not supervised, so none is left running.
    /// `legacyStatus` keeps the old value whenever it differs from the new one (also for `completed` and for
    /// unknown values, which fall back to stopped), so nothing is lost.
    public static func lifecycle(_ old: String) -> (status: SessionLifecycle, legacyStatus: String?, isFallback: Bool) {
        switch old {
        case "spawning", "running", "idle", "working", "completed": (.stopped, old, false)
        case "stopped": (.stopped, nil, false)
        case "failed": (.failed, nil, false)
        default: (.stopped, old, true)
        }
    }

    /// The old task-wide `agentStatus` (or `sessionStatus`) → each linked session's progress status: a valid
    /// session status is kept, `skipped` becomes cancelled, anything else queued (a fallback).
    public static func progressStatus(_ old: String) -> (status: SessionStatus, isFallback: Bool) {
        if let status = SessionStatus(rawValue: old) { return (status, false) }
        if old == "skipped" { return (.cancelled, false) }
        return (.queued, true)
    }
}
