import Foundation
import MaestroStore
import RedisClient
import Synchronization

/// Our side of the throughput comparison: `concurrency` OS threads, each with its own connection, looping
/// `connection.run(transition)` — the store's blocking API, as the CLI and a supervisor use it, and the same
/// shape as redis-benchmark's `-c N` (N connections, one request in flight on each) — until `count` calls are
/// done. The async pool's extra cost (two thread hops per call) is shown by `--breakdown`.
struct StoreThroughput: Sendable {
    let configuration: RedisConfiguration
    let concurrency: Int

    /// Hands out call numbers, so that the workers together make exactly `count` calls, as redis-benchmark does.
    private final class Budget: Sendable {
        let count: Int
        private let issued = Atomic<Int>(0)
        let failure = Mutex<(any Error)?>(nil)

        init(count: Int) { self.count = count }

        func take() -> Bool { issued.add(1, ordering: .relaxed).newValue <= count && failure.withLock { $0 == nil } }
    }

    /// Makes `count` calls of `transition` and returns the calls per second, decoded replies included.
    func measure(_ transition: UpdateProgress, count: Int) throws -> Double {
        let budget = Budget(count: count)
        let configuration = self.configuration
        let connections = (0..<concurrency).map { _ in RedisConnection(configuration) }
        for connection in connections { try connection.connect() }
        let done = DispatchGroup()
        let clock = ContinuousClock()
        let start = clock.now
        for connection in connections {
            let worker = UncheckedConnection(connection: connection)
            done.enter()
            Thread.detachNewThread {
                defer { done.leave() }
                do {
                    while budget.take() { _ = try worker.connection.run(transition) }
                } catch {
                    budget.failure.withLock { $0 = error }
                }
            }
        }
        done.wait()
        let elapsed = (clock.now - start).seconds
        if let error = budget.failure.withLock({ $0 }) { throw error }
        return Double(count) / elapsed
    }

    /// Hands one connection to the one thread that uses it.
    private struct UncheckedConnection: @unchecked Sendable {
        // @unchecked: each connection is created here and then used by exactly one worker thread.
        let connection: RedisConnection
    }
}
