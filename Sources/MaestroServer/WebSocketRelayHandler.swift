import Logging
import MaestroDomain
import MaestroStore
import NIOCore
import NIOWebSocket

/// One `/ws` client, served from its channel's event loop with no task of its own: the events it missed since its
/// last id (replayed from the stream by a short-lived task), then the live ones the relay hands it, with no gap
/// and none twice, or `resync` when its id was trimmed away.
///
/// Live events that arrive while the stream is replayed wait in a bounded list; afterwards every event at or
/// before the last one sent is skipped. A client whose socket stays full for more than `queueLimit` events is
/// closed with 1008; a client that leaves a keep-alive ping unanswered until the next one is disconnected.
/// Closing is a handshake: the close frame, then the write side shut, then the socket closed when the client
/// answers, leaves, or `closeTimeout` passes.
final class WebSocketRelayHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private enum Phase {
        /// The stream is being replayed; live items wait here.
        case catchingUp(pending: [RelayItem])
        /// Live: `last` is the newest event sent.
        case live(last: StreamID)
        /// The close frame is out (or the connection is gone).
        case closing
    }

    static let closeTimeout = TimeAmount.seconds(3)

    private let relay: EventRelay
    private let replay: EventReplay
    private let since: StreamID?
    private let queueLimit: Int
    private let logger: Logger
    private var clientFrames: WebSocketClientFrames
    private var phase = Phase.catchingUp(pending: [])
    private var context: ChannelHandlerContext?
    private var sink: Sink?
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
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
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
        phase = .closing
        if let sink { relay.remove(sink) }
        sink = nil
        context = nil
    }

    // MARK: Client → server

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        let verdict = clientFrames.read(frame)
        if case .closing = phase {
            // Our close frame is out: only the client's answer matters now.
            if case .closeRequested = verdict { context.close(promise: nil) }
            return
        }
        switch verdict {
        case .none: break
        case .pong(let payload):
            send(WebSocketFrame(fin: true, opcode: .pong, data: payload), context: context)
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
        } else if case .closing = phase {
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
        if context.channel.isWritable { behind = 0 }
        context.fireChannelWritabilityChanged()
    }

    // MARK: Relay → client

    /// One item from the relay, on the event loop.
    fileprivate func receive(_ item: RelayItem) {
        guard let context else { return }
        switch (item, phase) {
        case (_, .closing): return
        case (.finish, _): close(.goingAway, reason: "server shutting down", context: context)
        case (.keepAlive, _):
            guard !awaitingPong else {
                logger.debug("closing a WebSocket that did not answer a ping")
                return context.close(promise: nil)
            }
            awaitingPong = true
            send(WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer()), context: context)
        case (_, .catchingUp(var pending)):
            guard pending.count < queueLimit else { return closeTooSlow(context: context) }
            pending.append(item)
            phase = .catchingUp(pending: pending)
        case (.event(let event, let json), .live(let last)):
            guard event.id > last else { return }
            phase = .live(last: event.id)
            send(WebSocketFrame(fin: true, opcode: .text, data: json), context: context)
        case (.catchUp, .live(let last)):
            phase = .catchingUp(pending: [])
            catchUp(from: last, context: context)
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
                    let frame = WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: message.text))
                    try await channel.writeAndFlush(frame).get()
                }
                channel.eventLoop.execute { handler.value.caughtUp(to: last) }
            } catch {
                channel.eventLoop.execute { handler.value.replayFailed(error) }
            }
        }
    }

    private func caughtUp(to last: StreamID) {
        guard case .catchingUp(let pending) = phase else { return }
        phase = .live(last: last)
        for item in pending { receive(item) }
    }

    private func replayFailed(_ error: any Error) {
        guard let context else { return }
        if case .closing = phase { return }
        close(.unexpectedServerError, reason: "relay failed: \(error)", context: context)
    }

    private func send(_ frame: WebSocketFrame, context: ChannelHandlerContext) {
        if !context.channel.isWritable {
            behind += 1
            guard behind <= queueLimit else { return closeTooSlow(context: context) }
        }
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }

    private func closeTooSlow(context: ChannelHandlerContext) {
        close(.policyViolation, reason: "client too slow: more than \(queueLimit) events queued", context: context)
    }

    /// Sends a close frame (`code` nil: an empty one), shuts the write side once it is out, and closes the socket
    /// when the client answers or leaves — at the latest after `closeTimeout`.
    private func close(_ code: WebSocketErrorCode?, reason: String, context: ChannelHandlerContext) {
        if case .closing = phase { return }
        phase = .closing
        var data = context.channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        if let code {
            data.write(webSocketErrorCode: code)
            var reason = reason
            while reason.utf8.count > 123 { reason.removeLast() }  // a control frame carries at most 125 bytes
            data.writeString(reason)
        }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)))
            .whenComplete { _ in channel.close(mode: .output, promise: nil) }
        channel.eventLoop.scheduleTask(in: Self.closeTimeout) { channel.close(promise: nil) }
    }

    /// The handler as the relay's sink: items hop to the channel's event loop.
    private final class Sink: RelaySink {
        let projectId: String
        private let handler: NIOLoopBound<WebSocketRelayHandler>

        init(projectId: String, handler: NIOLoopBound<WebSocketRelayHandler>) {
            self.projectId = projectId
            self.handler = handler
        }

        func deliver(_ item: RelayItem) {
            handler.eventLoop.execute { [handler] in handler.value.receive(item) }
        }
    }
}
