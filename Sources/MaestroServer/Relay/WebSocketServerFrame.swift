import NIOCore
import NIOWebSocket

/// The frames the relay sends, encoded into the exact bytes a client reads (RFC 6455 §5.2: one final frame,
/// never masked). An event's frame is encoded once and the same buffer is written to every client of its project.
enum WebSocketServerFrame {
    static func text(_ payload: some Collection<UInt8>) -> ByteBuffer { encode(opcode: 0x1, payload: payload) }

    static func text(_ payload: String) -> ByteBuffer { text(payload.utf8) }

    static func ping() -> ByteBuffer { encode(opcode: 0x9, payload: EmptyCollection()) }

    /// The answer to a client's ping, with its payload (at most 125 bytes, as the client's control frame was).
    static func pong(_ payload: ByteBuffer) -> ByteBuffer { encode(opcode: 0xA, payload: payload.readableBytesView) }

    /// A close frame with `code` and `reason` (cut to fit a control frame's 125 bytes), or an empty one.
    static func close(_ code: WebSocketErrorCode?, reason: String) -> ByteBuffer {
        guard let code else { return encode(opcode: 0x8, payload: EmptyCollection()) }
        var body = ByteBuffer()
        body.write(webSocketErrorCode: code)
        var reason = reason
        while reason.utf8.count > 123 { reason.removeLast() }
        body.writeString(reason)
        return encode(opcode: 0x8, payload: body.readableBytesView)
    }

    private static func encode(opcode: UInt8, payload: some Collection<UInt8>) -> ByteBuffer {
        let length = payload.count
        var frame = ByteBuffer()
        frame.reserveCapacity(length + 10)
        frame.writeInteger(0x80 | opcode)
        switch length {
        case ..<126:
            frame.writeInteger(UInt8(length))
        case ...Int(UInt16.max):
            frame.writeInteger(UInt8(126))
            frame.writeInteger(UInt16(length))
        default:
            frame.writeInteger(UInt8(127))
            frame.writeInteger(UInt64(length))
        }
        frame.writeBytes(payload)
        return frame
    }
}
