import MaestroDomain
import NIOCore

/// What the relay hands a client's feed.
public enum RelayItem: Sendable, Equatable {
    /// An event read from the stream, and its JSON text in a buffer made once and shared by every client.
    case event(WireEvent, ByteBuffer)
    /// The relay's Redis subscription was re-established: events may have been missed, catch up from the stream.
    case catchUp
    /// A periodic tick, so idle connections show they are alive (and dead ones are found).
    case keepAlive
    /// The relay is stopping: end the feed.
    case finish
}

/// A client's feed of one project's events, as the relay sees it: where to deliver.
///
/// `deliver` is called from the relay's subscriber thread and must not block: a sink queues the item (a bounded
/// queue, or the channel's event loop) and returns.
public protocol RelaySink: AnyObject, Sendable {
    /// The project whose events this feed carries.
    var projectId: String { get }
    /// Hands over one item, in publication order.
    func deliver(_ item: RelayItem)
}
