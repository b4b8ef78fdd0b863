import Hummingbird
import HummingbirdWebSocket
import MaestroStore
import NIOWebSocket

/// The live streams: `/events` (Server-Sent Events) and `/ws` (WebSocket), per project, resumable by event id.
struct StreamRoutes {
    let server: ServerContext

    func register(
        http router: Router<BasicWebSocketRequestContext>, webSocket wsRouter: Router<BasicWebSocketRequestContext>
    ) {
        router.get("/events") { request, _ in
            try server.authenticator.requireUser(request)
            let feed = try feed(for: request)
            let since = try resumePoint(request.headers[.lastEventID] ?? request.uri.queryParameters.get("since"))
            let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: ": connected\n\n"))
                    do {
                        try await feed.run(since: since) { message in
                            try await writer.write(ByteBuffer(string: Self.serverSentEvent(message)))
                        }
                        try await writer.write(
                            ByteBuffer(string: "event: close\ndata: {\"reason\":\"server shutting down\"}\n\n"))
                    } catch RelayFeed.Ending.clientTooSlow(let limit) {
                        let reason = "client too slow: more than \(limit) events queued"
                        try await writer.write(ByteBuffer(string: "event: close\ndata: {\"reason\":\"\(reason)\"}\n\n"))
                    }
                    try await writer.finish(nil)
                })
        }

        // A refused upgrade falls through to this plain route, which says why in the API's error shape.
        router.get("/ws") { request, _ -> Response in
            try checkWebSocket(request)
            throw APIError.badRequest("/ws needs a WebSocket upgrade request")
        }
        wsRouter.ws("/ws") { request, context in
            (try? checkWebSocket(request)) == nil ? .dontUpgrade : .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            let request = context.request
            let feed = try feed(for: request)
            let since = try resumePoint(request.uri.queryParameters.get("since"))
            // Whichever ends first decides: the feed (server shutdown, slow client, failure: send a close frame,
            // then let the client answer it) or the client leaving (stop the feed; the close is already done). A
            // client breaking the protocol (a stray continuation, invalid UTF-8, a message over 64 KiB) ends the
            // handler with that error, which the WebSocket layer turns into the matching close code.
            try await withThrowingTaskGroup(of: (WebSocketErrorCode, String)?.self) { group in
                group.addTask {
                    do {
                        try await feed.run(since: since) { message in
                            if case .keepAlive = message { return }
                            try await outbound.write(.text(message.text))
                        }
                        return (.goingAway, "server shutting down")
                    } catch RelayFeed.Ending.clientTooSlow(let limit) {
                        return (.policyViolation, "client too slow: more than \(limit) events queued")
                    } catch {
                        return (.unexpectedServerError, "relay failed: \(error)")
                    }
                }
                group.addTask {
                    for try await _ in inbound.messages(maxSize: 1 << 16) {}
                    return nil
                }
                if let ending = try await group.next() ?? nil {
                    try? await outbound.close(ending.0, reason: ending.1)
                    _ = try? await group.next()
                } else {
                    group.cancelAll()
                }
            }
        }
    }

    /// The user token, an allowed origin, a valid project and resume point.
    private func checkWebSocket(_ request: Request) throws {
        try server.authenticator.requireUser(request)
        if let origin = request.headers[.origin], !originAllowed(origin, host: request.head.authority) {
            throw APIError.forbidden("WebSocket connections from origin \(origin) are not allowed")
        }
        _ = try resumePoint(request.uri.queryParameters.get("since"))
        _ = try server.scope(of: request)
    }

    private func feed(for request: Request) throws -> RelayFeed {
        let scope = try server.scope(of: request)
        return RelayFeed(
            relay: server.relay, replay: EventReplay(pool: server.pool, scope: scope),
            queueLimit: server.relayQueueLimit)
    }

    private func resumePoint(_ text: String?) throws -> StreamID? {
        guard let text, !text.isEmpty else { return nil }
        guard let id = StreamID(text) else {
            throw APIError.badRequest("'\(text)' is not an event id (<milliseconds>-<sequence>)")
        }
        return id
    }

    /// The server's own origin (same host), one configured with --allowed-origin, or a non-browser client's
    /// ws:// or wss:// origin (browsers always send the page's http(s) origin, so this opens nothing to them).
    private func originAllowed(_ origin: String, host: String?) -> Bool {
        if server.allowedOrigins.contains(origin) || origin.hasPrefix("ws://") || origin.hasPrefix("wss://") {
            return true
        }
        guard let host else { return false }
        return origin == "http://\(host)" || origin == "https://\(host)"
    }

    static func serverSentEvent(_ message: RelayMessage) -> String {
        switch message {
        case .event(let id, let json): "id: \(id)\ndata: \(json)\n\n"
        case .resync: "event: resync\ndata: \(message.text)\n\n"
        case .keepAlive: ": keep-alive\n\n"
        }
    }
}
