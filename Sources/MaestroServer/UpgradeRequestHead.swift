import NIOCore
import NIOHTTP1

/// Keeps the head of a first request that asks for an upgrade, so that a refused upgrade can still be routed.
///
/// NIO's typed upgrade handler consumes such a head while it looks for an upgrader and, when none accepts, hands
/// only the rest of the request on: `replay` gives the head back to the HTTP handlers, which then answer with the
/// API's own status (401, 403, 400) instead of nothing. Removed once the first request is decided.
final class UpgradeRequestHead: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    private var head: HTTPRequestHead?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data), head.headers.contains(name: "upgrade") { self.head = head }
        context.fireChannelRead(data)
    }

    /// Passes the kept head (if the upgrade handler consumed one) to the handlers after `upgradeHandler`, and
    /// leaves the pipeline.
    func replay(after upgradeHandler: ChannelHandlerContext, pipeline: ChannelPipeline.SynchronousOperations) {
        if let head { upgradeHandler.fireChannelRead(wrapInboundOut(.head(head))) }
        head = nil
        pipeline.removeHandler(self, promise: nil)
    }
}
