import BenchReporting
import Foundation
import MaestroStore
import RedisClient
import RedisTestSupport
import Synchronization

/// Our side of the throughput comparison, through each of the store's two ways of calling, until `count` calls
/// are done:
/// - blocking: `concurrency` OS threads, each with its own connection, looping `connection.run(transition)` —
///   as the CLI and a supervisor call it, and the same shape as redis-benchmark's `-c N`;
/// - pool: `concurrency` tasks looping `try await pool.run(transition)` — as the server calls it — on a pool of
///   at most two connections, on which concurrent callers' commands are pipelined.
struct StoreThroughput: Sendable {
    enum Way: String, CaseIterable, Sendable {
        case blocking
        case pool
    }

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

    /// Makes `count` calls of `transition` one way and returns the calls per second, decoded replies included.
    func measure(_ way: Way, _ transition: UpdateProgress, count: Int) throws -> Double {
        switch way {
        case .blocking: try measureBlocking(transition, count: count)
        case .pool: try MainThreadWait.run { try await measurePool(transition, count: count) }
        }
    }

    private func measureBlocking(_ transition: UpdateProgress, count: Int) throws -> Double {
        let budget = Budget(count: count)
        let connections = (0..<concurrency).map { _ in RedisConnection(configuration) }
        for connection in connections { try connection.connect() }
        let done = DispatchGroup()
        let start = ContinuousClock.now
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
        let elapsed = (ContinuousClock.now - start).seconds
        if let error = budget.failure.withLock({ $0 }) { throw error }
        return Double(count) / elapsed
    }

    private func measurePool(_ transition: UpdateProgress, count: Int) async throws -> Double {
        let budget = Budget(count: count)
        let pool = RedisConnectionPool(configuration: configuration, size: min(concurrency, 2))
        defer { pool.shutdown() }
        _ = try await pool.send([RedisCommand("PING")])
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    while budget.take() { _ = try await pool.run(transition) }
                }
            }
            try await group.waitForAll()
        }
        return Double(count) / (ContinuousClock.now - start).seconds
    }

    /// Hands one connection to the one thread that uses it.
    private struct UncheckedConnection: @unchecked Sendable {
        // @unchecked: each connection is created here and then used by exactly one worker thread.
        let connection: RedisConnection
    }
}
