import RedisClient
import RedisTestSupport
import Testing

/// Commands, pipelines and error replies against a private `redis-server`.
@Suite("Redis connection")
struct RedisConnectionTests {
    @Test func binarySetGetRoundTrip() throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let connection = server.connect()
        let key: [UInt8] = [0x6B, 0x00, 0xFF]
        let value: [UInt8] = [0x00, 0xFF, 0x0D, 0x0A, 0x00, 0x80] + Array("\u{E9}".utf8)

        #expect(try connection.send(RedisCommand(arguments: [Array("SET".utf8), key, value])) == .status("OK"))
        #expect(try connection.send(RedisCommand(arguments: [Array("GET".utf8), key])) == .bulk(value))
        #expect(try connection.send(RedisCommand(arguments: [Array("STRLEN".utf8), key])) == .integer(8))
        #expect(try connection.send(RedisCommand("GET", "missing")) == .null)
    }

    @Test func pipelineRepliesInOrder() throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let connection = server.connect()

        let replies = try connection.pipeline((0..<100).map { RedisCommand("RPUSH", "list", "item-\($0)") })
        #expect(replies == (1...100).map { .integer(Int64($0)) })

        let stored = try connection.send(RedisCommand("LRANGE", "list", "0", "-1"))
        #expect(stored == .array((0..<100).map { .bulk(Array("item-\($0)".utf8)) }))
    }

    @Test func emptyPipelineSendsNothing() throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        #expect(try server.connect().pipeline([]) == [])
    }

    @Test func serverErrorIsThrownAndConnectionStaysUsable() throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let connection = server.connect()
        _ = try connection.send(RedisCommand("SET", "text", "not a number"))
        let clientID = try #require(try connection.send(RedisCommand("CLIENT", "ID")).integer)

        let error = try #require(throws: RedisError.self) { try connection.send(RedisCommand("INCR", "text")) }
        #expect(error.code == .server)
        #expect(error.message == "ERR value is not an integer or out of range")

        #expect(connection.isConnected)
        #expect(try connection.send(RedisCommand("CLIENT", "ID")) == .integer(clientID))
    }

    @Test func errorRepliesStayInPlaceInPipeline() throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let connection = server.connect()

        let replies = try connection.pipeline([
            RedisCommand("SET", "text", "abc"),
            RedisCommand("INCR", "text"),
            RedisCommand("GET", "text"),
            RedisCommand("NOSUCHCOMMAND"),
            RedisCommand("INCR", "counter"),
        ])
        #expect(replies.count == 5)
        #expect(replies[0] == .status("OK"))
        #expect(replies[1] == .error("ERR value is not an integer or out of range"))
        #expect(replies[2] == .bulk(Array("abc".utf8)))
        guard case .error(let unknown) = replies[3] else {
            Issue.record("expected an error reply for an unknown command, got \(replies[3])")
            return
        }
        #expect(unknown.hasPrefix("ERR unknown command"))
        #expect(replies[4] == .integer(1))
    }

    @Test func unixSocketEndpoint() throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let configuration = try RedisConfiguration(url: "unix://\(server.socketPath)")
        #expect(configuration.endpoint == .unix(path: server.socketPath))
        let overSocket = RedisConnection(configuration)

        #expect(try overSocket.send(RedisCommand("SET", "via", "unix")) == .status("OK"))
        #expect(try server.connect().send(RedisCommand("GET", "via")) == .bulk(Array("unix".utf8)))
    }

    @Test func closeThenSendReopens() throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let connection = server.connect()
        #expect(!connection.isConnected)
        try connection.connect()
        #expect(connection.isConnected)
        let firstID = try #require(try connection.send(RedisCommand("CLIENT", "ID")).integer)

        connection.close()
        #expect(!connection.isConnected)
        let secondID = try #require(try connection.send(RedisCommand("CLIENT", "ID")).integer)
        #expect(secondID != firstID)
    }
}
