import MaestroDomain
import MaestroStore
import RedisClient
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Follows the tasks an MCP client subscribed to and tells it when one changes (its `version` grew, or it was
/// deleted). One thread, started by the first subscription: it waits for the project's live channel (over Redis)
/// or a second (over HTTP, which has no push channel for the CLI), then reads each watched task again.
final class TaskWatcher: Sendable {
    /// How long to wait for a wake-up before reading the watched tasks anyway, in case one was missed.
    static let safetyInterval = Duration.seconds(5)
    /// The least time between two rounds of reads, so a busy project does not turn into a read storm.
    static let minimumInterval = Duration.milliseconds(200)

    private struct State {
        /// Watched task ids and the version last seen of each.
        var seen: [String: Int] = [:]
        var started = false
    }

    private let state = Mutex(State())
    /// Called with a task id whose resource changed.
    private let changed: @Sendable (String) -> Void

    init(changed: @escaping @Sendable (String) -> Void) {
        self.changed = changed
    }

    /// Starts watching `taskId`, whose version is now `seenVersion`.
    func watch(_ taskId: String, seenVersion: Int) {
        let start = state.withLock { state in
            state.seen[taskId] = seenVersion
            defer { state.started = true }
            return !state.started
        }
        if start { PosixThread.detach { self.run() } }
    }

    func unwatch(_ taskId: String) {
        state.withLock { _ = $0.seen.removeValue(forKey: taskId) }
    }

    /// Redis or the server going away ends a session; the next one catches up on what changed meanwhile.
    private func run() {
        SubscriberLoop.run { connected in
            let backend = try CLIEnvironment.current().backend()
            let waitForChange = try backend.watchChanges()
            connected()
            let clock = ContinuousClock()
            while true {
                let round = clock.now
                try check(backend)
                try waitForChange(Self.safetyInterval)
                let elapsed = clock.now - round
                if elapsed < Self.minimumInterval {
                    usleep(UInt32((Self.minimumInterval - elapsed) / .microseconds(1)))
                }
            }
        }
    }

    /// Reads every watched task and reports those whose version moved on, or which are gone.
    private func check(_ backend: any MaestroBackend) throws {
        for (taskId, version) in state.withLock({ $0.seen }) {
            var current: Int?
            do {
                current = try backend.task(taskId).version
            } catch let error as MaestroError where error.code == .notFound {
                current = nil
            }
            guard current != version else { continue }
            let stillWatched = state.withLock { state in
                guard state.seen[taskId] == version else { return false }
                if let current { state.seen[taskId] = current } else { state.seen[taskId] = nil }
                return true
            }
            if stillWatched { changed(taskId) }
        }
    }
}
