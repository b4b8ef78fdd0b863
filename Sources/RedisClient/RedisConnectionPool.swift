import Synchronization

/// A fixed set of `RedisConnection`s, each owned by a dedicated thread, behind an async API.
///
/// Blocking hiredis calls run on these threads, never on Swift's cooperative thread pool. Commands sent by
/// concurrent callers while a connection is busy are pipelined together on it, so a few connections serve many
/// concurrent callers; `size` bounds the connections, not the concurrency.
public final class RedisConnectionPool: Sendable {
    /// The configuration every connection uses.
    public let configuration: RedisConfiguration
    private let threads: [ConnectionThread]
    private let next = Atomic<Int>(0)

    /// Starts `size` threads, each with its own lazily opened connection.
    public init(configuration: RedisConfiguration, size: Int) {
        precondition(size > 0, "a pool needs at least one connection")
        self.configuration = configuration
        threads = (0..<size).map { _ in ConnectionThread(configuration: configuration) }
    }

    deinit { shutdown() }

    /// Sends commands (pipelined, possibly with other callers' commands) and returns their replies in order;
    /// error replies stay in place as `.error`.
    public func send(_ commands: [RedisCommand]) async throws -> [RedisReply] {
        let thread = threads[next.add(1, ordering: .relaxed).newValue % threads.count]
        return try await withCheckedThrowingContinuation { continuation in
            if !thread.submit(.commands(commands, continuation)) {
                continuation.resume(throwing: Self.shutDownError)
            }
        }
    }

    /// Runs `body` with a connection to itself on one of the pool's threads (for dependent round trips).
    public func withConnection<Value: Sendable>(
        _ body: @escaping @Sendable (RedisConnection) throws -> Value
    ) async throws -> Value {
        let thread = threads[next.add(1, ordering: .relaxed).newValue % threads.count]
        return try await withCheckedThrowingContinuation { continuation in
            let accepted = thread.submit(
                .exclusive { connection in continuation.resume(with: Result { try body(connection) }) })
            if !accepted { continuation.resume(throwing: Self.shutDownError) }
        }
    }

    /// Serves what is queued, then stops the threads and closes their connections. Idempotent.
    public func shutdown() {
        for thread in threads { thread.shutdown() }
    }

    private static let shutDownError = RedisError(.connectionLost, "the connection pool has been shut down")
}
