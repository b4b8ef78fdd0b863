import Hummingbird
import MaestroStore

/// The live streams' HTTP routes: `/events` (Server-Sent Events), and `/ws` for requests that are not a valid
/// WebSocket upgrade (upgrades are taken over before routing by `HTTP1RelayChannel`), so a refused upgrade gets
/// the API's own 401, 403 or 400.
struct StreamRoutes {
    let server: ServerContext

    func register(on routes: RouteGroups) {
        routes.open.get("/events") { request, _ in
            let stream = try await StreamRequest.check(
                request, since: request.headers[.lastEventID] ?? request.uri.queryParameters.get("since"),
                server: server, isWebSocket: false)
            let feed = RelayFeed(
                relay: server.relay, replay: EventReplay(pool: server.pool, scope: stream.scope),
                queueLimit: server.relayQueueLimit)
            let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: ": connected\n\n"))
                    do {
                        try await feed.run(since: stream.since) { message in
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

        routes.open.get("/ws") { request, _ -> Response in
            _ = try await StreamRequest.check(
                request, since: request.uri.queryParameters.get("since"), server: server, isWebSocket: true)
            throw APIError.badRequest("/ws needs a WebSocket upgrade request (RFC 6455, version 13)")
        }
    }

    static func serverSentEvent(_ message: RelayMessage) -> String {
        switch message {
        case .event(let event): "id: \(event.id)\ndata: \(event.text)\n\n"
        case .resync: "event: resync\ndata: \(message.text)\n\n"
        case .keepAlive: ": keep-alive\n\n"
        }
    }
}
