import MaestroDomain

/// A live client's place in its project's stream, the one resume rule of every live protocol (SSE and WebSocket):
/// the events it missed are replayed from the stream first, then the relay's live items follow, with no gap and
/// none twice. Live items that arrive while the stream is replayed are held (at most `queueLimit` events); once the
/// replay is over, every event at or before the last one sent is skipped. After the relay lost its subscription
/// (`catchUp`) the client replays again from its last event. Pure: the protocols do the reading and the writing.
struct ResumeCursor {
    /// What the protocol does next.
    enum Step: Equatable {
        /// Send these events, in order.
        case send([RelayEvent])
        /// Replay the stream after this id, then hand the end to `caughtUp(to:)`.
        case replay(after: StreamID)
        /// Nothing yet: the item waits for the replay to end.
        case held
        /// Show the client the connection is alive.
        case keepAlive
        /// The relay is stopping: end the feed.
        case finish
        /// More than `queueLimit` events waited for a replay: the client cannot keep up.
        case tooSlow
    }

    private enum Phase {
        case replaying(held: [RelayItem], events: Int)
        case live(last: StreamID)
    }

    let queueLimit: Int
    /// A new client starts by replaying from where it says it is.
    private var phase = Phase.replaying(held: [], events: 0)

    init(queueLimit: Int) { self.queueLimit = queueLimit }

    /// One item from the relay.
    mutating func receive(_ item: RelayItem) -> Step {
        switch (item, phase) {
        case (.finish, _):
            return .finish
        case (.keepAlive, _):
            return .keepAlive
        case (_, .replaying(var held, var events)):
            if case .events(let batch) = item { events += batch.count }
            guard events <= queueLimit else { return .tooSlow }
            held.append(item)
            phase = .replaying(held: held, events: events)
            return .held
        case (.events(let batch), .live(let last)):
            // A batch is in stream order: what is new is its tail, most often the whole batch (shared, not copied).
            guard let newest = batch.last?.event.id, newest > last else { return .send([]) }
            phase = .live(last: newest)
            guard let firstNew = batch.firstIndex(where: { $0.event.id > last }), firstNew > 0 else { return .send(batch) }
            return .send(Array(batch[firstNew...]))
        case (.catchUp, .live(let last)):
            phase = .replaying(held: [], events: 0)
            return .replay(after: last)
        }
    }

    /// The replay sent everything up to `last`: the items held meanwhile, each to go through `receive` again, in
    /// order.
    mutating func caughtUp(to last: StreamID) -> [RelayItem] {
        guard case .replaying(let held, _) = phase else { return [] }
        phase = .live(last: last)
        return held
    }
}
