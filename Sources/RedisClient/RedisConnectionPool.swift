import Synchronization

/// A fixed set of `RedisConnection`s, each owned by a dedicated thread, behind an async API.
///
/// Blocking hiredis calls run on these threads, never on Swift's cooperative thread pool: each thread is a
/// `TaskExecutor`, and `withConnection` runs its body there. A caller that is already on one of the pool's
/// threads (because its previous call ran there) stays on it when it is free, so a sequential caller makes
/// no thread hop at all; concurrent callers spread over the idle threads.
public final class RedisConnectionPool: Sendable {
    /// The configuration every connection uses.
    public let configuration: RedisConfiguration
    private let threads: [ConnectionThread]
    private let isShutDown = Atomic<Bool>(false)
    private let next = Atomic<Int>(0)

    /// Starts `size` threads, each with its own lazily opened connection.
    public init(configuration: RedisConfiguration, size: Int) {
        precondition(size > 0, "a pool needs at least one connection")
        self.configuration = configuration
        threads = (0..<size).map { _ in ConnectionThread(configuration: configuration) }
    }

    deinit { shutdown() }

    /// Runs `body` with a connection on one of the pool's threads and returns its result.
    ///
    /// `body` runs without suspending, so it has the connection to itself.
    public func withConnection<Value: Sendable>(
        _ body: @escaping @Sendable (RedisConnection) throws -> Value
    ) async throws -> Value {
        guard !isShutDown.load(ordering: .acquiring) else {
            throw RedisError(.connectionLost, "the connection pool has been shut down")
        }
        let thread = pickThread()
        thread.begin()
        defer { thread.end() }
        return try await withTaskExecutorPreference(thread) {
            try await thread.run(body)
        }
    }

    /// Stops the threads after the work queued on them, and closes their connections. Idempotent.
    ///
    /// Call it once every caller is done: a call still waiting for a thread when it stops would never resume.
    public func shutdown() {
        guard !isShutDown.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for thread in threads { thread.shutdown() }
    }

    /// The caller's current thread when it is one of ours and free; else an idle thread; else the next in turn.
    private func pickThread() -> ConnectionThread {
        if let current = threads.first(where: \.isCurrent), current.load == 0 { return current }
        let start = next.add(1, ordering: .relaxed).newValue
        for offset in 0..<threads.count {
            let candidate = threads[(start + offset) % threads.count]
            if candidate.load == 0 { return candidate }
        }
        return threads[start % threads.count]
    }
}
