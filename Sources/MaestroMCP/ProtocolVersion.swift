/// The MCP revisions this server speaks, and the negotiation of `initialize`.
public enum ProtocolVersion {
    /// Newest first. What this server uses of them (tools with structured results and output schemas, resources,
    /// resource templates and subscriptions, ping, cancellation) is the same in each; 2024-11-05 clients simply
    /// ignore `structuredContent` and `outputSchema`.
    public static let supported = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]

    /// The client's version when this server speaks it, else the newest this server has (the client then decides
    /// whether it can go on).
    public static func negotiate(_ requested: String) -> String {
        supported.contains(requested) ? requested : supported[0]
    }
}
