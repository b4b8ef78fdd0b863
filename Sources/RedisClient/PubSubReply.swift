/// What a RESP2 reply means in pub/sub terms: a pushed message, or the server's account of a (un)subscription
/// with the socket's remaining count.
enum PubSubReply {
    /// `message`, `pmessage` or `smessage`: something published.
    case message
    /// `[kind, channel, count]`: a confirmation, or an unsolicited `sunsubscribe` when a slot moved away.
    case subscription(Kind, channel: [UInt8]?, count: Int)

    /// The six (un)subscribe commands and their confirmations.
    enum Kind: String {
        case subscribe, unsubscribe, psubscribe, punsubscribe, ssubscribe, sunsubscribe

        /// Whether its count is of shard channels (the server counts those apart from channels and patterns).
        var isShard: Bool { self == .ssubscribe || self == .sunsubscribe }

        /// The kind of a command, nil for any other command; cheap enough to run on every command.
        init?(command: RedisCommand) {
            let name = command.arguments[0]
            guard (9...12).contains(name.count) else { return nil }
            self.init(rawValue: String(decoding: name, as: UTF8.self).lowercased())
        }
    }

    /// Reads a reply; nil when it is not a pub/sub array.
    init?(_ reply: RedisReply) {
        guard case .array(let parts) = reply, parts.count >= 3, case .bulk(let first) = parts[0],
            (7...12).contains(first.count)
        else { return nil }
        let name = String(decoding: first, as: UTF8.self)
        if name == "message" || name == "pmessage" || name == "smessage" {
            self = .message
        } else if let kind = Kind(rawValue: name), parts.count == 3, case .integer(let count) = parts[2] {
            if case .bulk(let channel) = parts[1] {
                self = .subscription(kind, channel: channel, count: Int(count))
            } else {
                self = .subscription(kind, channel: nil, count: Int(count))
            }
        } else {
            return nil
        }
    }
}
