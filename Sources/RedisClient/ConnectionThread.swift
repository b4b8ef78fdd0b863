import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A dedicated OS thread that owns one `RedisConnection` and serves queued requests in batches.
///
/// Commands queued by concurrent callers while the thread was busy go out together as one pipeline (one
/// write, one read loop), which is what lets a few connections carry many concurrent callers cheaply.
/// Blocking hiredis calls happen only here, never on Swift's cooperative thread pool.
final class ConnectionThread: Sendable {
    /// One unit of work.
    enum Request: Sendable {
        /// Commands whose replies go back together; may share a pipeline with other callers' commands.
        case commands([RedisCommand], CheckedContinuation<[RedisReply], any Error>)
        /// Work that needs the connection to itself (several dependent round trips).
        case exclusive(@Sendable (RedisConnection) -> Void)
    }

    private struct Queue: ~Copyable {
        var requests: [Request] = []
        var isClosed = false
    }

    /// Spins this long for more work before sleeping: a sequential caller's next request usually arrives within
    /// it, which saves a wake-up per call; idle, the thread sleeps.
    private static let spinBeforeSleep = Duration.microseconds(50)

    /// The queue, shared by submitters and the thread.
    private final class Inbox: Sendable {
        let queue = Mutex(Queue())
        let wakeUp = DispatchSemaphore(value: 0)
    }

    private let inbox = Inbox()
    private let thread: Mutex<pthread_t?> = Mutex(nil)

    init(configuration: RedisConfiguration) {
        let connection = UncheckedConnection(RedisConnection(configuration))
        let work: @Sendable () -> Void = { [inbox] in Self.serve(connection.value, inbox: inbox) }
        let started = PosixThread.start(work)
        thread.withLock { $0 = started }
    }

    /// Queues a request; false when the thread has been shut down.
    func submit(_ request: Request) -> Bool {
        let accepted = inbox.queue.withLock { queue in
            guard !queue.isClosed else { return false }
            queue.requests.append(request)
            return true
        }
        if accepted { inbox.wakeUp.signal() }
        return accepted
    }

    /// Serves what is queued, then ends the thread and closes the connection. Idempotent.
    func shutdown() {
        inbox.queue.withLock { $0.isClosed = true }
        inbox.wakeUp.signal()
        if let thread = thread.withLock({ $0.take() }) { pthread_join(thread, nil) }
    }

    private static func serve(_ connection: RedisConnection, inbox: Inbox) {
        defer { connection.close() }
        while true {
            let (batch, closed) = inbox.queue.withLock { queue in
                defer { queue.requests.removeAll(keepingCapacity: true) }
                return (queue.requests, queue.isClosed)
            }
            if batch.isEmpty {
                if closed { return }
                let spinUntil = ContinuousClock.now + spinBeforeSleep
                while ContinuousClock.now < spinUntil && inbox.queue.withLock({ $0.requests.isEmpty && !$0.isClosed }) {
                    sched_yield()
                }
                if inbox.queue.withLock({ $0.requests.isEmpty && !$0.isClosed }) { inbox.wakeUp.wait() }
                continue
            }
            process(batch, on: connection)
        }
    }

    /// Runs a batch in order: consecutive command requests as one pipeline, exclusive work alone.
    private static func process(_ batch: [Request], on connection: RedisConnection) {
        var pending: [(count: Int, continuation: CheckedContinuation<[RedisReply], any Error>)] = []
        var commands: [RedisCommand] = []
        func flush() {
            guard !pending.isEmpty else { return }
            do {
                var replies = try connection.pipeline(commands)[...]
                for (count, continuation) in pending {
                    continuation.resume(returning: Array(replies.prefix(count)))
                    replies = replies.dropFirst(count)
                }
            } catch {
                for (_, continuation) in pending { continuation.resume(throwing: error) }
            }
            pending.removeAll()
            commands.removeAll()
        }
        for request in batch {
            switch request {
            case .commands(let requested, let continuation):
                pending.append((requested.count, continuation))
                commands += requested
            case .exclusive(let work):
                flush()
                work(connection)
            }
        }
        flush()
    }

    /// Hands the connection to the one thread that uses it.
    private struct UncheckedConnection: @unchecked Sendable {
        // @unchecked: created here, then used only by this object's thread.
        let value: RedisConnection
        init(_ value: RedisConnection) { self.value = value }
    }
}
