import MaestroDomain

/// What one receiver (a WebSocket client or a raw Redis subscriber) saw during a round.
struct ReceiverResult: Sendable {
    /// One event's arrival: its stream id and the CLOCK_MONOTONIC time it was read.
    struct Arrival: Sendable {
        var id: StreamID
        var nanoseconds: UInt64
    }

    /// Every measured event it received, in arrival order.
    var arrivals: [Arrival] = []
    /// Set when the connection ended before the round did (e.g. the server's close code and reason): a receiver
    /// that was dropped cannot have seen every event, and the report says why it went.
    var endedEarly: String?
}
