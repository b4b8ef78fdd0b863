import Hummingbird
import MaestroDomain
import MaestroStore

/// A request for a live stream (`/events`, `/ws`), checked: the user token, an allowed origin for WebSockets, a
/// valid project and resume point. Refusals are `APIError`s (401, 403, 400).
struct StreamRequest: Sendable {
    let scope: ProjectScope
    /// The last event id the client saw (nil: it starts from now).
    let since: StreamID?

    /// Checks `request`; `since` is the resume point it carries (query parameter or `Last-Event-ID`).
    init(_ request: Request, since: String?, server: ServerContext, isWebSocket: Bool) throws {
        try server.authenticator.requireUser(request)
        if isWebSocket, let origin = request.headers[.origin],
            !Self.originAllowed(origin, host: request.head.authority, allowed: server.allowedOrigins)
        {
            throw APIError.forbidden("WebSocket connections from origin \(origin) are not allowed")
        }
        if let since, !since.isEmpty {
            guard let id = StreamID(since) else {
                throw APIError.badRequest("'\(since)' is not an event id (<milliseconds>-<sequence>)")
            }
            self.since = id
        } else {
            self.since = nil
        }
        scope = try server.scope(of: request)
    }

    /// The server's own origin (same host), one configured with --allowed-origin, or a non-browser client's
    /// ws:// or wss:// origin (browsers always send the page's http(s) origin, so this opens nothing to them).
    private static func originAllowed(_ origin: String, host: String?, allowed: Set<String>) -> Bool {
        if allowed.contains(origin) || origin.hasPrefix("ws://") || origin.hasPrefix("wss://") { return true }
        guard let host else { return false }
        return origin == "http://\(host)" || origin == "https://\(host)"
    }
}
