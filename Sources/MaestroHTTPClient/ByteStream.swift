/// A connection the CLI's HTTP exchange reads and writes: a plain TCP socket or TLS over one.
protocol ByteStream {
    /// Sends every byte.
    func write(_ bytes: [UInt8]) throws
    /// Reads what has arrived into `buffer` (waiting for some); 0 at the end of the stream.
    func read(into buffer: inout [UInt8]) throws -> Int
    /// Closes the connection.
    func close()
}
