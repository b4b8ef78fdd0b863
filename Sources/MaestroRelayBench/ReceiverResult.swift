/// What one receiver (a WebSocket client or a raw Redis subscriber) saw during a round.
struct ReceiverResult: Sendable {
    /// Commit-to-arrival latency of every measured event it received, in nanoseconds, in arrival order.
    var latencies: [Int64] = []
    /// Set when the connection ended before the round did (e.g. the server's close code and reason): a receiver
    /// that was dropped cannot have seen every event, and the report says why it went.
    var endedEarly: String?
}
