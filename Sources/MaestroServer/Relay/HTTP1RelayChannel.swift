import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket

/// Each connection of the server: HTTP/1 for Hummingbird's router, and the relay's WebSocket upgrade for `/ws`,
/// decided on the first request.
///
/// An accepted upgrade leaves the connection to `WebSocketRelayHandler` on its event loop (no task per client).
/// A refused one (wrong token, foreign origin, bad parameters, not version 13) goes on as plain HTTP to the
/// router's `/ws` route, which answers with the API's own 401, 403 or 400. A first request head that cannot be
/// parsed gets 400 and a close; a connection that does not complete its first request in time is closed.
struct HTTP1RelayChannel: ServerChildChannel, HTTPChannelHandler {
    /// The largest frame a client may send (and the largest message, fragments included).
    static let maxFrameSize = 1 << 16
    /// How long a new connection may take to send its first request head.
    static let firstRequestTimeout = TimeAmount.seconds(10)
    /// How each connection sizes its reads. A connection keeps its receive buffer for its whole life, and a WebSocket
    /// client sends only small control frames after its upgrade request: starting at 1 KiB rather than NIO's 2 KiB
    /// keeps an idle `/ws` connection small, and the buffer still grows for larger requests.
    static let receiveBuffers = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 1024, maximum: 65536)

    /// What the first request made of the connection.
    enum Negotiated: Sendable {
        case http(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        case webSocket
    }

    struct Value: ServerChildChannelValue {
        let negotiated: EventLoopFuture<Negotiated>
        let channel: any Channel
    }

    let responder: HTTPChannelHandler.Responder
    let server: ServerContext
    /// Keep-alive connections idle this long are closed.
    let idleTimeout: Duration
    /// Whether the connection runs inside TLS (`TLSChannel` in front of this one).
    let isSecure: Bool

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.syncOptions?.setOption(ChannelOptions.recvAllocator, value: Self.receiveBuffers)
            let upgradeHead = NIOLoopBound(UpgradeRequestHead(), eventLoop: channel.eventLoop)
            // The checked request, between the decision to upgrade and the upgrade: checking redeems a stream ticket,
            // so it happens once.
            let accepted = NIOLoopBoundBox<StreamRequest?>(nil, eventLoop: channel.eventLoop)
            let upgrader = NIOTypedWebSocketServerUpgrader<Negotiated>(
                maxFrameSize: Self.maxFrameSize,
                enableAutomaticErrorHandling: false,  // WebSocketRelayHandler closes with the matching code
                shouldUpgrade: { channel, head in
                    channel.eventLoop.makeFutureWithTask { try? await streamRequest(head) }.map { stream in
                        accepted.value = stream
                        return stream == nil ? nil : HTTPHeaders()
                    }
                },
                upgradePipelineHandler: { channel, head in
                    channel.eventLoop.makeCompletedFuture {
                        channel.pipeline.syncOperations.removeHandler(upgradeHead.value, promise: nil)
                        guard let stream = accepted.value else { throw APIError.unauthorized("not checked") }
                        let handler = WebSocketRelayHandler(
                            relay: server.relay, replay: EventReplay(pool: server.pool, scope: stream.scope),
                            since: stream.since, queueLimit: server.relayQueueLimit,
                            maxMessageSize: Self.maxFrameSize, logger: logger)
                        try channel.pipeline.syncOperations.addHandler(handler)
                        return .webSocket
                    }
                })
            let upgrade = NIOTypedHTTPServerUpgradeConfiguration<Negotiated>(
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: isSecure))
                        try pipeline.addHandler(HTTPConnectionStateHandler(idleTimeout: idleTimeout, logger: logger))
                        let http = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                            wrappingChannelSynchronously: channel,
                            configuration: .init(isOutboundHalfClosureEnabled: true))
                        upgradeHead.value.replay(
                            after: try pipeline.context(handlerType: NIOTypedHTTPServerUpgradeHandler<Negotiated>.self),
                            pipeline: pipeline)
                        return .http(http)
                    }
                })
            var configuration = NIOUpgradableHTTPServerPipelineConfiguration(upgradeConfiguration: upgrade)
            configuration.enablePipelining = false  // NIOAsyncChannel serves one request at a time
            configuration.enableErrorHandling = true  // an unparseable request gets 400 and a close
            configuration.enableResponseHeaderValidation = false  // HTTPTypes validates already
            let pipeline = channel.pipeline.syncOperations
            let negotiated = try pipeline.configureUpgradableHTTPServerPipeline(configuration: configuration)
            try pipeline.addHandler(
                upgradeHead.value,
                position: .before(try pipeline.handler(type: NIOTypedHTTPServerUpgradeHandler<Negotiated>.self)))
            let deadline = channel.eventLoop.scheduleTask(in: Self.firstRequestTimeout) { channel.close(promise: nil) }
            negotiated.whenComplete { _ in deadline.cancel() }
            return Value(negotiated: negotiated, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.negotiated.get() {
            case .http(let http): await handleHTTP(asyncChannel: http, logger: logger)
            case .webSocket: break  // served on the event loop from now on
            }
        } catch {
            logger.debug("connection ended before its first request", metadata: ["error": "\(error)"])
            try? await value.channel.close()
        }
    }

    /// The `/ws` request in an upgrade's head, checked as the HTTP route checks it.
    private func streamRequest(_ head: HTTPRequestHead) async throws -> StreamRequest {
        let request = Request(
            head: try HTTPRequest(head, secure: isSecure, splitCookie: false),
            body: HummingbirdCore.RequestBody(buffer: ByteBuffer()))
        guard request.uri.path == "/ws" else { throw APIError.notFound("only /ws takes WebSocket upgrades") }
        return try await StreamRequest.check(
            request, since: request.uri.queryParameters.get("since"), server: server, isWebSocket: true)
    }
}
