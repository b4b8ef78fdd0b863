import Synchronization

/// Set when the client cancels a request (`notifications/cancelled`); long work checks it and stops early.
public final class CancellationFlag: Sendable {
    private let cancelled = Atomic<Bool>(false)

    /// A flag not (yet) set.
    public init() {}

    /// Whether the client cancelled the request.
    public var isCancelled: Bool { cancelled.load(ordering: .acquiring) }

    /// Marks the request cancelled; safe from any thread.
    public func cancel() { cancelled.store(true, ordering: .releasing) }
}
