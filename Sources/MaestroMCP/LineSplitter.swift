/// Cuts a byte stream into lines, as MCP's stdio transport frames messages: each ends with "\n" (a "\r" before it
/// is dropped too). A line longer than the limit is reported once as `tooLong` and skipped up to its end, so a
/// client cannot make the server hold unbounded input.
public struct LineSplitter {
    /// What `next` and `finish` hand out.
    public enum Piece: Equatable, Sendable {
        case line([UInt8])
        case tooLong
    }

    /// The longest line accepted, in bytes (without its newline).
    public let limit: Int
    private var buffer: [UInt8] = []
    /// How much of `buffer` is known to hold no newline, so each byte is searched once.
    private var scanned = 0
    private var skippingLongLine = false

    /// An empty splitter.
    public init(limit: Int) {
        self.limit = limit
    }

    /// Adds bytes read from the stream.
    public mutating func append(_ bytes: some Collection<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// The next complete line, or `tooLong`; nil when more bytes are needed.
    public mutating func next() -> Piece? {
        while let newline = buffer[scanned...].firstIndex(of: 0x0A) {
            var line = Array(buffer[..<newline])
            buffer.removeSubrange(...newline)
            scanned = 0
            if skippingLongLine {
                skippingLongLine = false
                continue
            }
            if line.last == 0x0D { line.removeLast() }
            return line.count > limit ? .tooLong : .line(line)
        }
        scanned = buffer.count
        guard buffer.count > limit else { return nil }
        buffer.removeAll()
        scanned = 0
        guard !skippingLongLine else { return nil }
        skippingLongLine = true
        return .tooLong
    }

    /// At the end of the stream: the last line if it had no newline.
    public mutating func finish() -> Piece? {
        if let piece = next() { return piece }
        defer {
            buffer.removeAll()
            scanned = 0
        }
        guard !buffer.isEmpty, !skippingLongLine else { return nil }
        if buffer.last == 0x0D { buffer.removeLast() }
        return .line(buffer)
    }
}
