import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A fixed set of `RedisConnection`s, each owned by a dedicated thread, behind an async API.
///
/// Blocking hiredis calls run on these threads, never on Swift's cooperative thread pool.
/// `size` threads means at most `size` commands in flight at once; further work queues in order.
public final class RedisConnectionPool: Sendable {
    private typealias Job = @Sendable (RedisConnection) -> Void

    private struct Queue: ~Copyable {
        var jobs: [Job] = []
        var head = 0
        var isClosed = false
    }

    /// Shared by the pool and its threads, so the pool can go away while threads finish.
    private final class Shared: Sendable {
        let queue = Mutex(Queue())
        let wakeUp = DispatchSemaphore(value: 0)
    }

    /// The configuration every connection uses.
    public let configuration: RedisConfiguration
    private let shared = Shared()
    private let threads: Mutex<[pthread_t]>

    /// Starts `size` threads, each with its own lazily opened connection.
    public init(configuration: RedisConfiguration, size: Int) {
        precondition(size > 0, "a pool needs at least one connection")
        self.configuration = configuration
        let shared = self.shared
        var started: [pthread_t] = []
        for _ in 0..<size {
            started.append(Self.startThread { Self.work(shared: shared, configuration: configuration) })
        }
        threads = Mutex(started)
    }

    deinit { shutdown() }

    /// Runs `body` with a connection on one of the pool's threads and returns its result.
    public func withConnection<Value: Sendable>(
        _ body: @escaping @Sendable (RedisConnection) throws -> Value
    ) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let accepted = shared.queue.withLock { queue in
                guard !queue.isClosed else { return false }
                queue.jobs.append { connection in continuation.resume(with: Result { try body(connection) }) }
                return true
            }
            if accepted {
                shared.wakeUp.signal()
            } else {
                continuation.resume(throwing: RedisError(.connectionLost, "the connection pool has been shut down"))
            }
        }
    }

    /// Runs what is queued, then stops the threads and closes their connections. Idempotent.
    public func shutdown() {
        let toJoin = threads.withLock { threads in
            defer { threads = [] }
            return threads
        }
        guard !toJoin.isEmpty else { return }
        shared.queue.withLock { $0.isClosed = true }
        for _ in toJoin { shared.wakeUp.signal() }
        for thread in toJoin { pthread_join(thread, nil) }
    }

    private static func work(shared: Shared, configuration: RedisConfiguration) {
        let connection = RedisConnection(configuration)
        while true {
            shared.wakeUp.wait()
            let job: Job? = shared.queue.withLock { queue in
                guard queue.head < queue.jobs.count else { return nil }
                let job = queue.jobs[queue.head]
                queue.head += 1
                if queue.head > 1024 && queue.head * 2 > queue.jobs.count {
                    queue.jobs.removeFirst(queue.head)
                    queue.head = 0
                }
                return job
            }
            guard let job else { return }  // woken with nothing queued: the pool is closing
            job(connection)
        }
    }

    private static func startThread(_ body: @escaping @Sendable () -> Void) -> pthread_t {
        final class Box: Sendable {
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        var thread = pthread_t()
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        let status = pthread_create(
            &thread, nil,
            { raw in
                let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
                box.body()
                return nil
            }, box)
        precondition(status == 0, "cannot start a Redis connection thread (error \(status))")
        return thread
    }
}
