import Synchronization

/// One client's feed of a project's live events, with a bounded queue.
///
/// When the client does not keep up and the queue is full, the feed ends and `overflowed` is set, so the
/// client is disconnected with a clear reason instead of slowing the relay or the other clients.
public final class RelaySubscription: Sendable {
    /// What the relay hands a subscription.
    public enum Item: Sendable, Equatable {
        /// A published event, as published.
        case event(StreamID, String)
        /// The relay's Redis subscription was re-established: events may have been missed, catch up from the stream.
        case catchUp
        /// A periodic tick, so idle connections show they are alive.
        case keepAlive
    }

    /// The project whose events this feed carries.
    public let projectId: String
    /// The items, in publication order.
    public let items: AsyncStream<Item>
    private let continuation: AsyncStream<Item>.Continuation
    private let didOverflow = Atomic<Bool>(false)

    init(projectId: String, queueLimit: Int) {
        self.projectId = projectId
        (items, continuation) = AsyncStream.makeStream(of: Item.self, bufferingPolicy: .bufferingOldest(queueLimit))
    }

    /// Whether the feed ended because the client fell more than the queue limit behind.
    public var overflowed: Bool { didOverflow.load(ordering: .acquiring) }

    func deliver(_ item: Item) {
        if case .dropped = continuation.yield(item) {
            didOverflow.store(true, ordering: .releasing)
            continuation.finish()
        }
    }

    /// Ends the feed (server shutdown, or the client left).
    func finish() { continuation.finish() }
}
