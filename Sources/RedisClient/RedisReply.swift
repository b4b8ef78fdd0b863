/// A decoded RESP2 reply.
public enum RedisReply: Equatable, Sendable {
    /// A bulk string (binary safe).
    case bulk([UInt8])
    /// A simple status string such as `OK`.
    case status(String)
    /// An integer reply.
    case integer(Int64)
    /// A nil bulk string or nil array.
    case null
    /// An array of replies.
    case array([RedisReply])
    /// An error reply; `send` turns it into a thrown `RedisError` with code `.server`.
    case error(String)
}

extension RedisReply {
    /// The reply as text, for bulk and status replies (bulk bytes decoded as UTF-8, invalid bytes repaired).
    public var string: String? {
        switch self {
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        case .status(let text): text
        default: nil
        }
    }

    /// The reply as an integer, for integer replies and bulk strings that hold one.
    public var integer: Int64? {
        switch self {
        case .integer(let value): value
        case .bulk, .status: string.flatMap { Int64($0) }
        default: nil
        }
    }

    /// The elements of an array reply.
    public var array: [RedisReply]? {
        if case .array(let elements) = self { return elements }
        return nil
    }
}
