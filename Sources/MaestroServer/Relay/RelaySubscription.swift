import NIOCore
import Synchronization

/// A client's feed as an async sequence with a bounded queue (the Server-Sent Events stream reads it).
///
/// When the client does not keep up and the queue is full, the feed ends and `overflowed` is set, so the
/// client is disconnected with a clear reason instead of slowing the relay or the other clients.
public final class RelaySubscription: RelaySink {
    public let projectId: String
    public var eventLoop: (any EventLoop)? { nil }
    /// The items, in publication order; ends at `.finish`, on overflow, or when `finish()` is called.
    public let items: AsyncStream<RelayItem>
    private let continuation: AsyncStream<RelayItem>.Continuation
    private let didOverflow = Atomic<Bool>(false)

    init(projectId: String, queueLimit: Int) {
        self.projectId = projectId
        (items, continuation) = AsyncStream.makeStream(
            of: RelayItem.self, bufferingPolicy: .bufferingOldest(queueLimit))
    }

    /// Whether the feed ended because the client fell more than the queue limit behind.
    public var overflowed: Bool { didOverflow.load(ordering: .acquiring) }

    public func deliver(_ item: RelayItem) {
        if item == .finish { return finish() }
        if case .dropped = continuation.yield(item) {
            didOverflow.store(true, ordering: .releasing)
            continuation.finish()
        }
    }

    /// Ends the feed (server shutdown, or the client left).
    func finish() { continuation.finish() }
}
