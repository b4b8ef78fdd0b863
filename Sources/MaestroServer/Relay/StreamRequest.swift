import Hummingbird
import MaestroDomain
import MaestroStore

/// A request for a live stream (`/events`, `/ws`), checked: an allowed origin for WebSockets, a valid project and
/// resume point, then the user: the user token or a stream ticket (redeemed, so a ticket opens one stream). Refusals
/// are `APIError`s (401, 403, 400).
struct StreamRequest: Sendable {
    let scope: ProjectScope
    /// The last event id the client saw (nil: it starts from now).
    let since: StreamID?

    /// Checks `request`; `since` is the resume point it carries (query parameter or `Last-Event-ID`). Everything
    /// without a side effect comes first, so a request refused for another reason never uses up its ticket.
    static func check(
        _ request: Request, since: String?, server: ServerContext, isWebSocket: Bool
    ) async throws -> StreamRequest {
        if isWebSocket, let origin = request.headers[.origin],
            !originAllowed(origin, host: request.head.authority, allowed: server.allowedOrigins)
        {
            throw APIError.forbidden("WebSocket connections from origin \(origin) are not allowed")
        }
        var position: StreamID?
        if let since, !since.isEmpty {
            guard let id = StreamID(since) else {
                throw APIError.badRequest("'\(since)' is not an event id (<milliseconds>-<sequence>)")
            }
            position = id
        }
        let scope = try server.scope(of: request)
        try await server.authenticator.requireStreamUser(request) { ticket in
            try await server.pool.execute(RedeemStreamTicket(ticket))
        }
        return StreamRequest(scope: scope, since: position)
    }

    /// The server's own origin (same host), one configured with --allowed-origin, or a non-browser client's
    /// ws:// or wss:// origin (browsers always send the page's http(s) origin, so this opens nothing to them).
    private static func originAllowed(_ origin: String, host: String?, allowed: Set<String>) -> Bool {
        if allowed.contains(origin) || origin.hasPrefix("ws://") || origin.hasPrefix("wss://") { return true }
        guard let host else { return false }
        return origin == "http://\(host)" || origin == "https://\(host)"
    }
}
