import Logging
import MaestroDomain
import MaestroStore
import NIOCore
import NIOWebSocket

/// One `/ws` client, served from its channel's event loop with no task of its own: the events it missed since its
/// last id (replayed from the stream by a short-lived task), then the live ones the relay hands it, with no gap
/// and none twice, or `resync` when its id was trimmed away.
///
/// Which events go out when is `ResumeCursor`'s rule, the same as for SSE. A client whose socket stays full for more
/// than `queueLimit` events is closed with 1008; a client that leaves a keep-alive ping unanswered until the next one
/// is disconnected.
/// Closing is a handshake: the close frame, then the write side shut, then the socket closed when the client
/// answers, leaves, or `closeTimeout` passes.
///
/// Every frame goes out already encoded (`WebSocketServerFrame`): an event's bytes are made once by the relay and
/// written as they are to each client, past NIO's frame encoder, and each batch of events is flushed once.
final class WebSocketRelayHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame

    static let closeTimeout = TimeAmount.seconds(3)

    private let relay: EventRelay
    private let replay: EventReplay
    private let since: StreamID?
    private let queueLimit: Int
    private let logger: Logger
    private var clientFrames: WebSocketClientFrames
    private var cursor: ResumeCursor
    /// The close frame is out (or the connection is gone).
    private var closing = false
    private var context: ChannelHandlerContext?
    /// Where encoded frames are written: the context of NIO's frame encoder, so they pass it by.
    private var wire: ChannelHandlerContext?
    private var sink: Sink?
    /// Whether the channel takes more writes, as its last writability change said (read on every write, so kept
    /// here rather than asked of the channel).
    private var writable = true
    /// Frames written while the socket was full (reset when it drains).
    private var behind = 0
    private var awaitingPong = false

    init(relay: EventRelay, replay: EventReplay, since: StreamID?, queueLimit: Int, maxMessageSize: Int, logger: Logger)
    {
        self.relay = relay
        self.replay = replay
        self.since = since
        self.queueLimit = queueLimit
        self.logger = logger
        clientFrames = WebSocketClientFrames(maxMessageSize: maxMessageSize)
        cursor = ResumeCursor(queueLimit: queueLimit)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        writable = context.channel.isWritable
        wire = (try? context.pipeline.syncOperations.context(handlerType: WebSocketFrameEncoder.self)) ?? context
        let sink = Sink(projectId: replay.scope.projectId, handler: NIOLoopBound(self, eventLoop: context.eventLoop))
        self.sink = sink
        relay.add(sink)
        catchUp(from: since, context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) { leave() }

    func channelInactive(context: ChannelHandlerContext) {
        leave()
        context.fireChannelInactive()
    }

    private func leave() {
        closing = true
        if let sink { relay.remove(sink) }
        sink = nil
        context = nil
        wire = nil
    }

    // MARK: Client → server

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        let verdict = clientFrames.read(frame)
        if closing {
            // Our close frame is out: only the client's answer matters now.
            if case .closeRequested = verdict { context.close(promise: nil) }
            return
        }
        switch verdict {
        case .none: break
        case .pong(let payload):
            send(WebSocketServerFrame.pong(payload), context: context)
        case .closeRequested(let code):
            close(code, reason: "", context: context)
        case .violation(let code, let reason):
            logger.debug("closing a WebSocket that broke the protocol", metadata: ["reason": "\(reason)"])
            close(code, reason: reason, context: context)
        }
        if frame.opcode == .pong { awaitingPong = false }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? NIOWebSocketError {
            let (code, reason): (WebSocketErrorCode, String) =
                switch error {
                case .invalidFrameLength:
                    (.messageTooLarge, "frames are limited to \(HTTP1RelayChannel.maxFrameSize) bytes")
                case .fragmentedControlFrame: (.protocolError, "control frames may not be fragmented")
                case .multiByteControlFrameLength: (.protocolError, "control frames are limited to 125 bytes")
                }
            close(code, reason: reason, context: context)
        } else if closing {
            return  // the close handshake or its timeout ends the connection
        } else {
            logger.debug("WebSocket failed", metadata: ["error": "\(error)"])
            context.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case is ChannelShouldQuiesceEvent:
            close(.goingAway, reason: "server shutting down", context: context)
        case ChannelEvent.inputClosed:
            context.close(promise: nil)  // the client left without a close frame, or after answering ours
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        writable = context.channel.isWritable
        if writable { behind = 0 }
        context.fireChannelWritabilityChanged()
    }

    // MARK: Relay → client

    /// One item from the relay, on the event loop.
    fileprivate func receive(_ item: RelayItem) {
        guard let context, !closing else { return }
        switch cursor.receive(item) {
        case .finish:
            close(.goingAway, reason: "server shutting down", context: context)
        case .keepAlive:
            guard !awaitingPong else {
                logger.debug("closing a WebSocket that did not answer a ping")
                return context.close(promise: nil)
            }
            awaitingPong = true
            send(WebSocketServerFrame.ping(), context: context)
        case .held:
            break
        case .tooSlow:
            closeTooSlow(context: context)
        case .send(let events):
            for relayed in events {
                guard write(relayed.webSocketFrame, context: context) else { return }
            }
            wire?.flush()
        case .replay(let after):
            catchUp(from: after, context: context)
        }
    }

    /// Replays the stream after `start` in a task of its own that ends with the replay; the live items that
    /// arrived meanwhile follow.
    private func catchUp(from start: StreamID?, context: ChannelHandlerContext) {
        let channel = context.channel
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let replay = replay
        Task {
            do {
                let last = try await replay.resume(after: start) { message in
                    let frame = WebSocketServerFrame.text(message.text)
                    try await channel.eventLoop.flatSubmit {
                        handler.value.writeReplayed(frame)
                            ?? channel.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel)
                    }.get()
                }
                channel.eventLoop.execute { handler.value.caughtUp(to: last) }
            } catch {
                channel.eventLoop.execute { handler.value.replayFailed(error) }
            }
        }
    }

    /// One replayed frame, written and flushed (nil: the connection is gone); the replay waits for each, so it
    /// needs no queue limit.
    private func writeReplayed(_ frame: ByteBuffer) -> EventLoopFuture<Void>? {
        wire?.writeAndFlush(NIOAny(frame))
    }

    private func caughtUp(to last: StreamID) {
        for item in cursor.caughtUp(to: last) { receive(item) }
    }

    private func replayFailed(_ error: any Error) {
        guard let context, !closing else { return }
        close(.unexpectedServerError, reason: "relay failed: \(error)", context: context)
    }

    /// Writes and flushes one frame.
    private func send(_ frame: ByteBuffer, context: ChannelHandlerContext) {
        if write(frame, context: context) { wire?.flush() }
    }

    /// Writes one frame without flushing it, or closes a client that has been full for more than `queueLimit`
    /// frames (false: nothing more is to be written).
    private func write(_ frame: ByteBuffer, context: ChannelHandlerContext) -> Bool {
        if !writable {
            behind += 1
            guard behind <= queueLimit else {
                closeTooSlow(context: context)
                return false
            }
        }
        wire?.write(NIOAny(frame), promise: nil)
        return true
    }

    private func closeTooSlow(context: ChannelHandlerContext) {
        relay.droppedTooSlow()
        close(.policyViolation, reason: "client too slow: more than \(queueLimit) events queued", context: context)
    }

    /// Sends a close frame (`code` nil: an empty one), shuts the write side once it is out, and closes the socket
    /// when the client answers or leaves — at the latest after `closeTimeout`.
    private func close(_ code: WebSocketErrorCode?, reason: String, context: ChannelHandlerContext) {
        if closing { return }
        closing = true
        let channel = context.channel
        let written = wire?.writeAndFlush(NIOAny(WebSocketServerFrame.close(code, reason: reason)))
        (written ?? channel.eventLoop.makeSucceededVoidFuture())
            .whenComplete { _ in channel.close(mode: .output, promise: nil) }
        channel.eventLoop.scheduleTask(in: Self.closeTimeout) { channel.close(promise: nil) }
    }

    /// The handler as the relay's sink: items hop to the channel's event loop.
    private final class Sink: RelaySink {
        let projectId: String
        var eventLoop: (any EventLoop)? { handler.eventLoop }
        private let handler: NIOLoopBound<WebSocketRelayHandler>

        init(projectId: String, handler: NIOLoopBound<WebSocketRelayHandler>) {
            self.projectId = projectId
            self.handler = handler
        }

        func deliver(_ item: RelayItem) { handler.value.receive(item) }
    }
}
