import RedisClient
import Testing

/// hiredis' reader fed by hand, without a socket.
@Suite("RESP reply parsing")
struct RedisReplyParserTests {
    /// Parses exactly one reply from `bytes` and checks nothing is left over.
    private func parseOne(_ bytes: [UInt8]) throws -> RedisReply {
        let parser = RedisReplyParser()
        try parser.feed(bytes)
        let reply = try #require(try parser.next())
        #expect(try parser.next() == nil)
        return reply
    }

    private func parseOne(_ text: String) throws -> RedisReply {
        try parseOne(Array(text.utf8))
    }

    @Test func status() throws {
        #expect(try parseOne("+OK\r\n") == .status("OK"))
    }

    @Test func error() throws {
        #expect(try parseOne("-ERR unknown command 'FOO'\r\n") == .error("ERR unknown command 'FOO'"))
    }

    @Test func integers() throws {
        #expect(try parseOne(":42\r\n") == .integer(42))
        #expect(try parseOne(":-7\r\n") == .integer(-7))
        #expect(try parseOne(":9223372036854775807\r\n") == .integer(.max))
    }

    @Test func bulk() throws {
        #expect(try parseOne("$5\r\nhello\r\n") == .bulk(Array("hello".utf8)))
        #expect(try parseOne("$0\r\n\r\n") == .bulk([]))
    }

    @Test func binaryBulk() throws {
        let value: [UInt8] = [0x00, 0xFF, 0x0D, 0x0A, 0x00]
        #expect(try parseOne(Array("$5\r\n".utf8) + value + Array("\r\n".utf8)) == .bulk(value))
    }

    @Test func nilBulk() throws {
        #expect(try parseOne("$-1\r\n") == .null)
    }

    @Test func nilArray() throws {
        #expect(try parseOne("*-1\r\n") == .null)
    }

    @Test func emptyArray() throws {
        #expect(try parseOne("*0\r\n") == .array([]))
    }

    @Test func nestedArrays() throws {
        let text = "*4\r\n:1\r\n*3\r\n$1\r\na\r\n$-1\r\n*1\r\n+deep\r\n*-1\r\n-ERR inner\r\n"
        let expected = RedisReply.array([
            .integer(1),
            .array([.bulk(Array("a".utf8)), .null, .array([.status("deep")])]),
            .null,
            .error("ERR inner"),
        ])
        #expect(try parseOne(text) == expected)
    }

    @Test func replySplitAcrossFeeds() throws {
        let parser = RedisReplyParser()
        try parser.feed(Array("*2\r\n$3\r\nfo".utf8))
        #expect(try parser.next() == nil)
        try parser.feed(Array("o\r\n:1".utf8))
        #expect(try parser.next() == nil)
        try parser.feed(Array("2\r\n".utf8))
        #expect(try parser.next() == .array([.bulk(Array("foo".utf8)), .integer(12)]))
        #expect(try parser.next() == nil)
    }

    @Test func replyFedOneByteAtATime() throws {
        let bytes = Array("*2\r\n$4\r\nab\r\n\r\n+OK\r\n".utf8)
        let parser = RedisReplyParser()
        for byte in bytes.dropLast() {
            try parser.feed([byte])
            #expect(try parser.next() == nil)
        }
        try parser.feed([bytes.last!])
        #expect(try parser.next() == .array([.bulk(Array("ab\r\n".utf8)), .status("OK")]))
    }

    @Test func twoRepliesInOneFeed() throws {
        let parser = RedisReplyParser()
        try parser.feed(Array("+OK\r\n:5\r\n".utf8))
        #expect(try parser.next() == .status("OK"))
        #expect(try parser.next() == .integer(5))
        #expect(try parser.next() == nil)
    }

    @Test func emptyFeedNeedsMoreBytes() throws {
        let parser = RedisReplyParser()
        try parser.feed([])
        #expect(try parser.next() == nil)
    }

    @Test func invalidTypeByteIsAProtocolError() throws {
        let parser = RedisReplyParser()
        let error = try #require(throws: RedisError.self) {
            try parser.feed(Array("?what\r\n".utf8))
            _ = try parser.next()
        }
        #expect(error.code == .protocolError)
        #expect(error.message.contains("Protocol error"))
    }

    /// A valid reply before the garbage is still delivered; the error surfaces where the garbage starts.
    @Test func invalidBytesAfterAValidReply() throws {
        let parser = RedisReplyParser()
        try parser.feed(Array("+OK\r\n!\r\n".utf8))
        #expect(try parser.next() == .status("OK"))
        let error = try #require(throws: RedisError.self) { try parser.next() }
        #expect(error.code == .protocolError)
    }
}
