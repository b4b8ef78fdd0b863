import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A dedicated OS thread that owns one `RedisConnection` and is a Swift `TaskExecutor`.
///
/// Tasks that prefer this executor run their nonisolated code on this thread, so a blocking hiredis call
/// made there blocks this thread, never Swift's cooperative pool. A task already on the thread calls again
/// without a hop; that is what makes a sequential caller as cheap as a plain blocking client.
final class ConnectionThread: TaskExecutor, @unchecked Sendable {
    // @unchecked: `connection` is used only by jobs running on this thread (see `run`); the queue is a Mutex.
    private struct Queue: ~Copyable {
        var jobs: [UnownedJob] = []
        var head = 0
        var isClosed = false
    }

    private let connection: RedisConnection
    private let queue = Mutex(Queue())
    private let wakeUp = DispatchSemaphore(value: 0)
    private let inFlight = Atomic<Int>(0)
    private var thread = pthread_t()
    private let threadId = Atomic<UInt>(0)

    init(configuration: RedisConfiguration) {
        connection = RedisConnection(configuration)
        let box = Unmanaged.passRetained(self).toOpaque()
        let status = pthread_create(&thread, nil, { raw in
            let this = Unmanaged<ConnectionThread>.fromOpaque(raw!).takeRetainedValue()
            this.threadId.store(UInt(pthread_self()), ordering: .releasing)
            this.work()
            return nil
        }, box)
        precondition(status == 0, "cannot start a Redis connection thread (error \(status))")
        while threadId.load(ordering: .acquiring) == 0 { sched_yield() }
    }

    /// Whether the caller is running on this thread.
    var isCurrent: Bool { threadId.load(ordering: .acquiring) == UInt(pthread_self()) }

    /// How many `run` calls are using or waiting for this thread.
    var load: Int { inFlight.load(ordering: .relaxed) }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.withLock { $0.jobs.append(job) }
        wakeUp.signal()
    }

    /// Runs `body` with the connection on this thread (the caller must prefer this executor).
    func run<Value>(_ body: (RedisConnection) throws -> Value) async throws -> Value {
        precondition(isCurrent, "ConnectionThread.run must execute on its own thread")
        return try body(connection)
    }

    /// Marks a caller as using this thread until `end`.
    func begin() { inFlight.add(1, ordering: .relaxed) }
    func end() { inFlight.subtract(1, ordering: .relaxed) }

    /// Lets queued jobs finish, then ends the thread and closes the connection.
    func shutdown() {
        queue.withLock { $0.isClosed = true }
        wakeUp.signal()
        pthread_join(thread, nil)
    }

    private func work() {
        while true {
            wakeUp.wait()
            let next: UnownedJob?? = queue.withLock { queue in
                guard queue.head < queue.jobs.count else { return queue.isClosed ? .some(nil) : nil }
                let job = queue.jobs[queue.head]
                queue.head += 1
                if queue.head == queue.jobs.count {
                    queue.jobs.removeAll(keepingCapacity: true)
                    queue.head = 0
                }
                return job
            }
            switch next {
            case .some(.some(let job)): job.runSynchronously(on: asUnownedTaskExecutor())
            case .some(.none): connection.close(); return
            case .none: continue
            }
        }
    }
}
