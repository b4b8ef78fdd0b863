/// Who asks for a change; the rules of spec §3 depend on it.
public enum Actor: Sendable, Hashable {
    /// A human, through the dashboard or the HTTP API with the user token.
    case user
    /// An agent session, through the CLI or the HTTP API with its own session token.
    case session(id: String)
    /// The server, relay or supervisor itself.
    case system
}
