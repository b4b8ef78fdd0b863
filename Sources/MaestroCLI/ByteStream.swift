/// A connection the CLI's HTTP exchange reads and writes: a plain TCP socket or TLS over one.
protocol ByteStream {
    /// Sends every byte.
    func write(_ bytes: [UInt8]) throws
    /// Reads what has arrived into `buffer` (waiting for some); 0 at the end of the stream.
    func read(into buffer: inout [UInt8]) throws -> Int
    /// Closes the connection.
    func close()
}

/// Why the CLI could not talk to maestro-server.
struct TransportFailure: Error {
    enum Kind {
        /// Not reachable, or the connection broke: worth another attempt (exit 6).
        case unreachable
        /// The server's TLS certificate is not trusted for its name: never retried (exit 6), and nothing was sent.
        case untrusted
    }

    let kind: Kind
    let message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}
