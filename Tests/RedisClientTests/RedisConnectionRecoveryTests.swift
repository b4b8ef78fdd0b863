import RedisClient
import RedisTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Unreachable servers, broken connections and replies that never come.
@Suite("Redis connection failures and recovery")
struct RedisConnectionRecoveryTests {
    /// The only timing assertion here: a bound on how long a failing connect may take, far above the timeout.
    @Test func closedPortFailsWithinConnectTimeout() throws {
        let stopped = try RedisTestServer()
        let port = stopped.port
        stopped.stop()
        var configuration = RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: port))
        configuration.connectTimeout = .milliseconds(300)
        let connection = RedisConnection(configuration)

        var caught: RedisError?
        let elapsed = ContinuousClock().measure {
            caught = #expect(throws: RedisError.self) { try connection.send(RedisCommand("PING")) }
        }
        let error = try #require(caught)
        #expect(error.code == .connectionFailed)
        #expect(error.message.contains("127.0.0.1:\(port)"))
        #expect(elapsed < .seconds(3))
        #expect(!connection.isConnected)
    }

    @Test func missingUnixSocketFails() throws {
        var configuration = RedisConfiguration(endpoint: .unix(path: "/nonexistent/maestro/redis.sock"))
        configuration.connectTimeout = .milliseconds(100)
        let error = try #require(throws: RedisError.self) {
            try RedisConnection(configuration).send(RedisCommand("PING"))
        }
        #expect(error.code == .connectionFailed)
        #expect(error.message.contains("/nonexistent/maestro/redis.sock"))
    }

    /// The command in flight when the connection broke is reported, not resent; the next one reconnects.
    @Test func killedConnectionIsReportedThenReopened() throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let victim = server.connect()
        let victimID = try #require(try victim.send(RedisCommand("CLIENT", "ID")).integer)

        let killed = try server.connect().send(RedisCommand("CLIENT", "KILL", "ID", String(victimID)))
        #expect(killed == .integer(1))

        let error = try #require(throws: RedisError.self) { try victim.send(RedisCommand("INCR", "counter")) }
        #expect(error.code == .connectionLost)
        #expect(!victim.isConnected)

        #expect(try victim.send(RedisCommand("INCR", "counter")) == .integer(1))
        let newID = try #require(try victim.send(RedisCommand("CLIENT", "ID")).integer)
        #expect(newID != victimID)
    }

    /// A write larger than one socket buffer onto a connection the server closed fails with EPIPE, which raises
    /// SIGPIPE; unhandled, that kills the whole process instead of reporting a lost connection.
    @Test func largeCommandOnKilledConnectionIsReportedNotFatal() throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let victim = server.connect()
        let victimID = try #require(try victim.send(RedisCommand("CLIENT", "ID")).integer)
        _ = try server.connect().send(RedisCommand("CLIENT", "KILL", "ID", String(victimID)))
        let blockedBefore = Self.isBrokenPipeBlocked()

        let value = [UInt8](repeating: 0x61, count: 4 << 20)
        let large = RedisCommand(arguments: [Array("SET".utf8), Array("large".utf8), value])
        let error = try #require(throws: RedisError.self) { try victim.send(large) }
        #expect(error.code == .connectionLost)
        #expect(Self.isBrokenPipeBlocked() == blockedBefore)

        #expect(try victim.send(RedisCommand("EXISTS", "large")) == .integer(0))
    }

    /// A reply that takes longer than `commandTimeout` breaks the connection rather than hanging.
    /// BLPOP instead of DEBUG SLEEP: Redis 7 disables DEBUG by default, and BLPOP leaves the server responsive.
    @Test func commandTimeoutBreaksTheConnection() throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        var configuration = server.configuration
        configuration.commandTimeout = .milliseconds(200)
        let connection = RedisConnection(configuration)
        #expect(try connection.send(RedisCommand("PING")) == .status("PONG"))

        let error = try #require(throws: RedisError.self) {
            try connection.send(RedisCommand("BLPOP", "never-filled", "2"))
        }
        #expect(error.code == .timedOut)
        #expect(error.message.contains("did not answer within"))
        #expect(!connection.isConnected)

        #expect(try connection.send(RedisCommand("PING")) == .status("PONG"))
    }

    private static func isBrokenPipeBlocked() -> Bool {
        var mask = sigset_t()
        pthread_sigmask(SIG_BLOCK, nil, &mask)
        return sigismember(&mask, SIGPIPE) == 1
    }
}
