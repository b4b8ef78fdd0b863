import RedisClient
import Testing

/// The exact bytes hiredis puts on the wire, checked without a socket.
@Suite("RESP command encoding")
struct RedisCommandEncodingTests {
    @Test func nameOnly() {
        #expect(RedisCommand("PING").encoded() == Array("*1\r\n$4\r\nPING\r\n".utf8))
    }

    @Test func nameAndArguments() {
        let expected = Array("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n".utf8)
        #expect(RedisCommand("SET", "key", "value").encoded() == expected)
        #expect(RedisCommand("SET", ["key", "value"]).encoded() == expected)
    }

    @Test func emptyArgument() {
        let expected = Array("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n".utf8)
        #expect(RedisCommand("SET", "k", "").encoded() == expected)
    }

    @Test func emptyArgumentBetweenOthers() {
        let command = RedisCommand(arguments: [Array("ECHO".utf8), [], Array("x".utf8)])
        #expect(command.encoded() == Array("*3\r\n$4\r\nECHO\r\n$0\r\n\r\n$1\r\nx\r\n".utf8))
    }

    /// NUL would end a C string and CR LF would look like a frame end: only the length prefix keeps them safe.
    @Test func binaryArgument() {
        let value: [UInt8] = [0x00, 0xFF, 0x0D, 0x0A, 0x00, 0x80]
        let command = RedisCommand(arguments: [Array("SET".utf8), [0x6B, 0x00], value])
        let expected =
            Array("*3\r\n$3\r\nSET\r\n$2\r\n".utf8) + [0x6B, 0x00] + Array("\r\n$6\r\n".utf8) + value
            + Array("\r\n".utf8)
        #expect(command.encoded() == expected)
    }

    /// The length prefix counts UTF-8 bytes, not characters.
    @Test func multibyteUTF8Argument() {
        let text = "h\u{E9}llo \u{65E5}\u{672C} \u{1F642}"  // 1 + 2 + 3 + 1 + 3 + 3 + 1 + 4 = 18 bytes
        let expected = Array("*2\r\n$4\r\nECHO\r\n$18\r\n".utf8) + Array(text.utf8) + Array("\r\n".utf8)
        #expect(RedisCommand("ECHO", text).encoded() == expected)
    }
}
