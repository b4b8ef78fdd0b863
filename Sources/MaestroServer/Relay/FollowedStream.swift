import MaestroDomain

/// What the relay knows of one project it follows: the newest stream entry it has read, and the ids it read
/// lately. A live message is only a wake-up; it is real when it names an event the relay then finds in the stream,
/// so anything else published on the channel (an old or invented id, another project's, not an id at all) is
/// recognised as forged and changes nothing.
struct FollowedStream {
    /// How many recently read ids are remembered: more than a burst of wake-ups can lag behind their reads.
    static let memory = 4096

    /// The newest entry read; the next read starts after it.
    private(set) var last: StreamID
    private var recent: Set<StreamID> = []
    private var order: [StreamID] = []
    private var oldest = 0

    /// Starts following at `end`, the stream's newest entry before the subscription.
    init(from end: StreamID) { last = end }

    /// Notes entries read after `last`, in order.
    mutating func read(_ ids: [StreamID], through newest: StreamID?) {
        for id in ids {
            if order.count < Self.memory {
                order.append(id)
            } else {
                recent.remove(order[oldest])
                order[oldest] = id
                oldest = (oldest + 1) % Self.memory
            }
            recent.insert(id)
        }
        if let newest { last = max(last, newest) }
    }

    /// Whether a wake-up naming `id` is one the library sent: an event read from the stream since following began.
    func knows(_ id: StreamID) -> Bool { recent.contains(id) }
}
