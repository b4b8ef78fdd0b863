import RedisClient

/// How a receiver talks to its server: what it sends once connected, and how it reads what comes back.
protocol ReceiverWire: Sendable {
    /// For messages: `raw SSUBSCRIBE`, `WebSocket`.
    var name: String { get }
    /// The bytes each receiver sends once connected.
    var opening: [UInt8] { get }
    func makeDecoder() -> any ReceiverDecoder
}

/// Reads one connection's bytes as they arrive.
protocol ReceiverDecoder: AnyObject {
    /// Calls `confirmed` once the receiver is subscribed, `message` with each event's bytes; returns the bytes to
    /// send back (a WebSocket pong), usually none.
    func feed(
        _ bytes: [UInt8], confirmed: () -> Void, message: (UnsafeRawBufferPointer) -> Void
    ) throws -> [UInt8]
}

/// A raw Redis subscriber of the project's live channel, sharded as the relay's (hiredis's reply parser per
/// socket).
struct RedisSubscribeWire: ReceiverWire {
    let channel: String

    var name: String { "raw SSUBSCRIBE" }
    var opening: [UInt8] { RedisCommand("SSUBSCRIBE", channel).encoded() }
    func makeDecoder() -> any ReceiverDecoder { Decoder() }

    final class Decoder: ReceiverDecoder {
        private let parser = RedisReplyParser()

        func feed(
            _ bytes: [UInt8], confirmed: () -> Void, message: (UnsafeRawBufferPointer) -> Void
        ) throws -> [UInt8] {
            try parser.feed(bytes)
            while let reply = try parser.next() {
                guard let parts = reply.array, parts.count == 3, case .bulk(let kind) = parts[0] else { continue }
                if kind.elementsEqual("smessage".utf8), case .bulk(let payload) = parts[2] {
                    payload.withUnsafeBytes { message($0) }
                } else if kind.elementsEqual("ssubscribe".utf8) {
                    confirmed()
                }
            }
            return []
        }
    }
}
