import MaestroDomain
import MaestroStore

/// Reads a user's answer to this session's `needs_input` question on a task, waiting for it when asked to: what
/// `maestro task answer` and the MCP tool `get_answer` share.
struct AnswerWait {
    let backend: any MaestroBackend
    let session: SessionCredentials
    let taskId: String

    /// This session's entry on the task, read again after every change until it carries an answer, `timeout`
    /// passed (nil: no limit; zero: read once) or `isCancelled` says so, which is asked at least every `slice`.
    /// Refuses when the session has not queued the task.
    func entry(
        within timeout: Duration?, checkingEvery slice: Duration = .seconds(3600), isCancelled: () -> Bool = { false }
    ) throws -> SessionProgress {
        // Watch first, then read, so an answer given in between still wakes the wait.
        let waitForChange = timeout == .zero ? nil : try backend.watchChanges()
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now + $0 }
        while true {
            let task = try backend.task(taskId)
            guard let entry = task.progress(of: session.sessionId) else {
                throw MaestroError(.notFound, "session \(session.sessionId) has not queued task \(taskId)")
            }
            guard entry.answer == nil, let waitForChange, !isCancelled() else { return entry }
            let remaining = deadline.map { $0 - clock.now } ?? slice
            guard remaining > .zero else { return entry }
            try waitForChange(min(remaining, slice))
        }
    }
}
