import CHiredis

/// Parses RESP bytes into replies with hiredis' own reader, without a socket.
///
/// Not thread-safe: one parser belongs to one caller.
public final class RedisReplyParser {
    private let reader: UnsafeMutablePointer<redisReader>

    /// Creates an empty parser.
    public init() {
        guard let reader = redisReaderCreate() else { fatalError("hiredis could not allocate a reader") }
        self.reader = reader
    }

    deinit { redisReaderFree(reader) }

    /// Appends received bytes.
    public func feed(_ bytes: [UInt8]) throws {
        let status = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { redisReaderFeed(reader, $0.baseAddress, buffer.count) }
        }
        guard status == REDIS_OK else { throw readerError() }
    }

    /// The next complete reply, or nil when more bytes are needed.
    public func next() throws -> RedisReply? {
        var raw: UnsafeMutableRawPointer?
        guard redisReaderGetReply(reader, &raw) == REDIS_OK else { throw readerError() }
        guard let raw else { return nil }
        defer { freeReplyObject(raw) }
        return RedisReply(copying: raw.assumingMemoryBound(to: redisReply.self))
    }

    private func readerError() -> RedisError {
        RedisError(.protocolError, "invalid RESP data: \(String(cString: chiredis_reader_errstr(reader)))")
    }
}
