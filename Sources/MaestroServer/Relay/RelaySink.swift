import MaestroDomain
import NIOCore

/// What the relay hands a client's feed.
public enum RelayItem: Sendable, Equatable {
    /// Events read from the stream in one read, in stream order; each encoded once and shared by every client.
    case events([RelayEvent])
    /// The relay's Redis subscription was re-established: events may have been missed, catch up from the stream.
    case catchUp
    /// A periodic tick, so idle connections show they are alive (and dead ones are found).
    case keepAlive
    /// The relay is stopping: end the feed.
    case finish
}

/// One event as the relay hands it on: read and framed once, whatever the number of clients.
public struct RelayEvent: Sendable, Equatable {
    public let event: WireEvent
    /// The event's JSON text as one WebSocket text frame, the bytes written to every `/ws` client.
    let webSocketFrame: ByteBuffer

    init(_ event: WireEvent) {
        self.event = event
        webSocketFrame = WebSocketServerFrame.text(event.json)
    }
}

/// A client's feed of one project's events, as the relay sees it: where to deliver.
///
/// `deliver` must not block: a sink queues the item (a bounded queue, or its channel) and returns. A sink with an
/// event loop is handed its items on that loop, together with the other sinks of that loop (one hop per loop for
/// each item, not one per client); a sink without one is handed them on the relay's thread.
public protocol RelaySink: AnyObject, Sendable {
    /// The project whose events this feed carries.
    var projectId: String { get }
    /// The event loop `deliver` runs on, or nil: any thread.
    var eventLoop: (any EventLoop)? { get }
    /// Hands over one item, in publication order.
    func deliver(_ item: RelayItem)
}
