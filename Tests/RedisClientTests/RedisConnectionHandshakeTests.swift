import RedisClient
import RedisTestSupport
import Testing

/// AUTH and SELECT, sent when a connection opens.
@Suite("Redis connection handshake")
struct RedisConnectionHandshakeTests {
    @Test func aclUserAuthenticates() throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        _ = try server.connect().send(RedisCommand("ACL", "SETUSER", "alice", "on", ">secret", "~*", "+@all"))

        var configuration = server.configuration
        configuration.username = "alice"
        configuration.password = "secret"
        let connection = RedisConnection(configuration)
        #expect(try connection.send(RedisCommand("ACL", "WHOAMI")) == .bulk(Array("alice".utf8)))
    }

    @Test func wrongPasswordIsAnAuthenticationError() throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        _ = try server.connect().send(RedisCommand("ACL", "SETUSER", "alice", "on", ">secret", "~*", "+@all"))

        var configuration = server.configuration
        configuration.username = "alice"
        configuration.password = "wrong"
        let connection = RedisConnection(configuration)
        let error = try #require(throws: RedisError.self) { try connection.send(RedisCommand("PING")) }
        #expect(error.code == .authentication)
        #expect(error.message.contains("WRONGPASS"))
        #expect(!connection.isConnected)
    }

    /// Without a username, AUTH carries only the password and logs in the `default` user.
    @Test func passwordOnlyAuthenticatesDefaultUser() throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        _ = try server.connect().send(RedisCommand("CONFIG", "SET", "requirepass", "hunter2"))

        let anonymous = server.connect()
        let refused = try #require(throws: RedisError.self) { try anonymous.send(RedisCommand("PING")) }
        #expect(refused.code == .server)
        #expect(refused.message.hasPrefix("NOAUTH"))

        var configuration = server.configuration
        configuration.password = "hunter2"
        let connection = RedisConnection(configuration)
        #expect(try connection.send(RedisCommand("ACL", "WHOAMI")) == .bulk(Array("default".utf8)))
    }

    @Test func configuredDatabaseIsSelected() throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        var configuration = server.configuration
        configuration.database = 5
        let inFive = RedisConnection(configuration)
        #expect(try inFive.send(RedisCommand("SET", "where", "five")) == .status("OK"))

        let inZero = server.connect()
        #expect(try inZero.send(RedisCommand("GET", "where")) == .null)
        #expect(try inZero.send(RedisCommand("SELECT", "5")) == .status("OK"))
        #expect(try inZero.send(RedisCommand("GET", "where")) == .bulk(Array("five".utf8)))
    }

    /// The database is selected again on every reconnect, not only on the first one.
    @Test func databaseIsSelectedAgainAfterReconnect() throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        var configuration = server.configuration
        configuration.database = 3
        let connection = RedisConnection(configuration)
        try connection.connect()
        connection.close()
        #expect(try connection.send(RedisCommand("SET", "where", "three")) == .status("OK"))

        let inZero = server.connect()
        #expect(try inZero.send(RedisCommand("SELECT", "3")) == .status("OK"))
        #expect(try inZero.send(RedisCommand("GET", "where")) == .bulk(Array("three".utf8)))
    }

    @Test func databaseOutOfRangeIsRefused() throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        var configuration = server.configuration
        configuration.database = 99
        let connection = RedisConnection(configuration)
        let error = try #require(throws: RedisError.self) { try connection.send(RedisCommand("PING")) }
        #expect(error.code == .authentication)
        #expect(error.message.contains("DB index is out of range"))
        #expect(!connection.isConnected)
    }
}
