import Foundation

extension RedisTestServer {
    /// At most this many servers (clusters above all) start at once: each polls its nodes until they settle.
    private static let startSlots = DispatchSemaphore(value: 8)

    /// Starts a server as `init(arguments:)` does, on a thread of its own. A cluster takes over 2 s to become
    /// writable; an async test that waited for it inline would hold one of the few threads of Swift's cooperative
    /// pool (one per core) and stall every other test's async work — its servers' sweepers and HTTP handlers
    /// included — for that long. Async tests and fixtures start their servers with this.
    public static func start(arguments: [String] = []) async throws -> RedisTestServer {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                startSlots.wait()
                defer { startSlots.signal() }
                continuation.resume(with: Result { try RedisTestServer(arguments: arguments) })
            }.start()
        }
    }
}
