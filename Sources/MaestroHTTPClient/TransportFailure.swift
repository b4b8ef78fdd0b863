/// Why the CLI could not talk to maestro-server.
public struct TransportFailure: Error {
    public enum Kind: Sendable {
        /// Not reachable, or the connection broke: worth another attempt (exit 6).
        case unreachable
        /// The server's TLS certificate is not trusted for its name: never retried (exit 6), and nothing was sent.
        case untrusted
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}

extension TransportFailure {
    /// A MAESTRO_URL that cannot be used.
    public struct Parse: Error {
        public let message: String
    }
}
