import MaestroDomain
import RedisClient

// Reads of a project's event stream. The stream's layout (fields `type` and `payload`, ids `<ms>-<seq>`) is known
// here and in the function library only; relays read through these values.

/// Up to `count` events after `after`, in order, as clients receive them. Entries that are not Maestro events (an
/// unknown type, a payload that is not a JSON object: written by something other than the function library) are
/// left out and counted.
public struct EventsAfter: StoreCommand {
    public var scope: ProjectScope
    public var after: StreamID
    public var count: Int

    public init(scope: ProjectScope, after: StreamID, count: Int = 500) {
        self.scope = scope
        self.after = after
        self.count = count
    }

    /// One page: the events, the id of the last entry read (events or not), and how many entries were not events.
    public struct Page: Sendable {
        public var events: [WireEvent]
        public var lastRead: StreamID?
        public var entriesRead: Int
        public var malformed: Int
        /// The ids of the entries that were not events.
        public var malformedIDs: [StreamID] = []
    }

    public var command: RedisCommand {
        RedisCommand("XRANGE", scope.eventStream, "(\(after)", "+", "COUNT", String(count))
    }

    public func decode(_ reply: RedisReply) throws -> Page {
        if case .error(let message) = reply { throw RedisError(.server, message) }
        return try Page(entries: reply.array ?? [])
    }
}

extension EventsAfter.Page {
    /// Reads stream entries (`[id, [field, value…]]` each) as events, leaving out and counting those that are not.
    init(entries: [RedisReply]) throws {
        self.init(events: [], lastRead: nil, entriesRead: 0, malformed: 0)
        for entry in entries {
            guard let parts = entry.array, parts.count == 2, let idText = parts[0].string, let id = StreamID(idText)
            else { throw StoreError(.unexpectedReply, "malformed stream entry \(entry)") }
            entriesRead += 1
            lastRead = id
            var type: String?
            var payload: [UInt8]?
            let fields = parts[1].array ?? []
            for index in stride(from: 0, to: fields.count - 1, by: 2) {
                switch fields[index].string {
                case "type": type = fields[index + 1].string
                case "payload": if case .bulk(let bytes) = fields[index + 1] { payload = bytes }
                default: break
                }
            }
            guard let type, let eventType = EventType(rawValue: type), let payload, WireEvent.isObject(payload) else {
                malformed += 1
                malformedIDs.append(id)
                continue
            }
            events.append(WireEvent(id: id, type: eventType, payload: payload))
        }
    }
}

/// The id of the stream's newest entry (`StreamID.zero` when it has none).
public struct StreamEnd: StoreCommand {
    public var scope: ProjectScope

    public init(scope: ProjectScope) { self.scope = scope }

    public var command: RedisCommand { RedisCommand("XREVRANGE", scope.eventStream, "+", "-", "COUNT", "1") }

    public func decode(_ reply: RedisReply) throws -> StreamID {
        if case .error(let message) = reply { throw RedisError(.server, message) }
        guard let first = reply.array?.first?.array?.first?.string else { return .zero }
        return StreamID(first) ?? .zero
    }
}

/// Whether a client at `position` can resume from the stream: every event after it is still kept (none was trimmed
/// away) and it is not from the future (as after a data reset).
public struct StreamCanResume: StoreCommand {
    public var scope: ProjectScope
    public var position: StreamID

    public init(scope: ProjectScope, from position: StreamID) {
        self.scope = scope
        self.position = position
    }

    public var command: RedisCommand { RedisCommand("XINFO", "STREAM", scope.eventStream) }

    public func decode(_ reply: RedisReply) throws -> Bool {
        if case .error(let message) = reply {
            guard message.contains("no such key") else { throw RedisError(.server, message) }
            return position == .zero  // no stream yet: nothing was ever trimmed
        }
        let fields = reply.array ?? []
        var info: [String: RedisReply] = [:]
        for index in stride(from: 0, to: fields.count - 1, by: 2) {
            if let name = fields[index].string { info[name] = fields[index + 1] }
        }
        let lastGenerated = info["last-generated-id"]?.string.flatMap(StreamID.init) ?? .zero
        guard position <= lastGenerated else { return false }
        // Entries only ever leave from the head (MAXLEN trimming; the library never XDELs). If some left, every id
        // before the first kept entry may be gone; at or after it, nothing is missing.
        let trimmed = (info["entries-added"]?.integer ?? 0) > (info["length"]?.integer ?? 0)
        guard trimmed else { return true }
        let first = info["first-entry"]?.array?.first?.string.flatMap(StreamID.init) ?? lastGenerated
        return position >= first
    }
}
