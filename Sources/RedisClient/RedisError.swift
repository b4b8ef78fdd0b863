/// A failure talking to Redis: what failed, in words a person can act on, plus the underlying cause.
public struct RedisError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; extensible without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The server could not be reached within the connect timeout — or, in a Redis Cluster, the command's slot
        /// found no primary to serve it within that time (a failover, `-CLUSTERDOWN`, `-TRYAGAIN`). Either way the
        /// command was not executed.
        public static let connectionFailed = Code("connectionFailed")
        /// An established connection broke; the command may or may not have been applied.
        public static let connectionLost = Code("connectionLost")
        /// Redis did not answer within the command timeout (stalled, or overloaded); the connection is dropped and
        /// the command may or may not have been applied. Not retried: the timeout bounds the whole call.
        public static let timedOut = Code("timedOut")
        /// Redis answered with an error reply (`-ERR ...`).
        public static let server = Code("server")
        /// AUTH or SELECT was refused.
        public static let authentication = Code("authentication")
        /// The bytes received are not valid RESP, or the reply has an unexpected shape.
        public static let protocolError = Code("protocol")
        /// The connection URL is not one we understand.
        public static let invalidURL = Code("invalidURL")

        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// A human-readable explanation (for `.server`, the server's own error text).
    public var message: String
    /// The lower-level cause, if any.
    public var underlying: (any Error & Sendable)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String { message }
}
