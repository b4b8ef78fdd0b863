import Synchronization

/// A one-shot broadcast that thousands of tasks can await without polling: polling from every client would add
/// tens of thousands of wake-ups per second to the very machine being measured.
final class StopSignal: Sendable {
    private struct State {
        var fired = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// Whether `fire()` has been called.
    var isFired: Bool { state.withLock { $0.fired } }

    /// Returns once `fire()` has been called (at once if it already was).
    func wait() async {
        await withCheckedContinuation { continuation in
            let already = state.withLock { state in
                if state.fired { return true }
                state.waiters.append(continuation)
                return false
            }
            if already { continuation.resume() }
        }
    }

    /// Wakes every waiter, now and later.
    func fire() {
        let waiters = state.withLock { state in
            state.fired = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
