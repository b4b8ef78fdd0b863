import Dispatch
import Synchronization

/// Runs async work and blocks the calling (main) thread until it is done.
///
/// Why the benchmark is synchronous at the top: `Process` children inherit the signal mask of the thread
/// that spawns them, and Swift concurrency's threads block almost every signal. A redis-server started from
/// an async context therefore ignores SIGTERM and `RedisTestServer.stop()` never returns. So every process
/// is started from the main thread, and only the store measurement, which needs `await`, runs as a task.
enum MainThreadWait {
    private final class Outcome<Value: Sendable>: Sendable {
        let result = Mutex<Result<Value, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
    }

    static func run<Value: Sendable>(_ work: @escaping @Sendable () async throws -> Value) throws -> Value {
        let outcome = Outcome<Value>()
        Task.detached {
            do {
                let value = try await work()
                outcome.result.withLock { $0 = .success(value) }
            } catch {
                outcome.result.withLock { $0 = .failure(error) }
            }
            outcome.done.signal()
        }
        outcome.done.wait()
        return try outcome.result.withLock { $0! }.get()
    }
}
