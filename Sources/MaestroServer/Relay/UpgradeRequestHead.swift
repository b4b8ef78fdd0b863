import NIOCore
import NIOHTTP1

/// Keeps the first request of a connection that asks for an upgrade, so that a refused upgrade can still be routed.
///
/// NIO's typed upgrade handler consumes such a request while it decides (our check is asynchronous: it may redeem a
/// stream ticket): the head, and its end when that arrives before the decision. When no upgrader accepts, it hands
/// on only what came later: `replay` gives the consumed parts back to the HTTP handlers, which then answer with the
/// API's own status (401, 403, 400) instead of nothing. Removed once the first request is decided.
final class UpgradeRequestHead: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    private var head: HTTPRequestHead?
    /// Whether the kept head's end has gone by (into the upgrade handler, which swallowed it).
    private var ended = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head) where head.headers.contains(name: "upgrade"): self.head = head
        case .end where head != nil: ended = true
        default: break
        }
        context.fireChannelRead(data)
    }

    /// Passes the kept parts (if the upgrade handler consumed them) to the handlers after `upgradeHandler`, and
    /// leaves the pipeline.
    func replay(after upgradeHandler: ChannelHandlerContext, pipeline: ChannelPipeline.SynchronousOperations) {
        if let head {
            upgradeHandler.fireChannelRead(wrapInboundOut(.head(head)))
            if ended { upgradeHandler.fireChannelRead(wrapInboundOut(.end(nil))) }
            // The decision may come after the read that brought the request has completed: without a read-complete
            // of its own, the async channel would keep the replayed parts to itself.
            upgradeHandler.fireChannelReadComplete()
        }
        head = nil
        pipeline.removeHandler(self, promise: nil)
    }
}
