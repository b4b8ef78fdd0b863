import RedisClient
import RedisTestSupport
import Testing

@Suite("Redis connection pool")
struct RedisConnectionPoolTests {
    private struct BodyFailure: Error, Equatable {}

    /// Every INCR must land exactly once: the final count and the set of replies both show lost or doubled updates.
    @Test func concurrentIncrementsAreNotLost() async throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let pool = RedisConnectionPool(configuration: server.configuration, size: 4)
        defer { pool.shutdown() }

        let replies = try await withThrowingTaskGroup(of: Int64?.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    try await pool.withConnection { try $0.send(RedisCommand("INCR", "counter")) }.integer
                }
            }
            var replies: [Int64?] = []
            for try await reply in group { replies.append(reply) }
            return replies
        }
        #expect(Set(replies) == Set((1...200).map { Int64($0) }))

        let final = try await pool.withConnection { try $0.send(RedisCommand("GET", "counter")) }
        #expect(final.integer == 200)
    }

    @Test func errorsThrownInTheBodyPropagate() async throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let pool = RedisConnectionPool(configuration: server.configuration, size: 2)
        defer { pool.shutdown() }

        await #expect(throws: BodyFailure()) {
            try await pool.withConnection { _ in throw BodyFailure() }
        }
        let error = try await #require(throws: RedisError.self) {
            try await pool.withConnection { try $0.send(RedisCommand("INCR")) }
        }
        #expect(error.code == .server)
        #expect(error.message.contains("wrong number of arguments"))

        #expect(try await pool.withConnection { try $0.send(RedisCommand("PING")) } == .status("PONG"))
    }

    @Test func shutdownRefusesNewWork() async throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let pool = RedisConnectionPool(configuration: server.configuration, size: 2)
        #expect(try await pool.withConnection { try $0.send(RedisCommand("PING")) } == .status("PONG"))

        pool.shutdown()
        pool.shutdown()
        let error = try await #require(throws: RedisError.self) {
            try await pool.withConnection { try $0.send(RedisCommand("SET", "after-shutdown", "ran")) }
        }
        #expect(error.code == .connectionLost)

        let observer = RedisConnectionPool(configuration: server.configuration, size: 1)
        defer { observer.shutdown() }
        let exists = try await observer.withConnection { try $0.send(RedisCommand("EXISTS", "after-shutdown")) }
        #expect(exists == .integer(0))
    }

    @Test func unreachableServerFailsThroughThePool() async throws {
        let stopped = try RedisTestServer()
        stopped.stop()
        var configuration = stopped.configuration
        configuration.connectTimeout = .milliseconds(100)
        let pool = RedisConnectionPool(configuration: configuration, size: 1)
        defer { pool.shutdown() }

        let error = try await #require(throws: RedisError.self) {
            try await pool.withConnection { try $0.send(RedisCommand("PING")) }
        }
        #expect(error.code == .connectionFailed)
    }
}
