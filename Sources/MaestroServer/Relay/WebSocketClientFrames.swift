import NIOCore
import NIOWebSocket

/// The rules of RFC 6455 for the frames a client sends to `/ws`, as a value: it reads each frame and says what
/// to do. Clients have nothing to say to the relay, so messages are checked and dropped; pings are answered.
///
/// Checked here because the frame decoder does not: client frames must be masked (§5.1), reserved bits need an
/// extension (none is negotiated, §5.2), reserved opcodes are errors, fragments must form messages (§5.4), text
/// must be UTF-8 (§8.1), close frames must carry a valid code (§7.4) — and messages are limited in size.
struct WebSocketClientFrames {
    /// What a frame asks the server to do.
    enum Verdict: Equatable {
        /// Nothing (a checked message or a fragment of one, a pong).
        case none
        /// Answer a ping with this payload.
        case pong(ByteBuffer)
        /// The client closes: answer with this code (nil: an empty close frame) and close.
        case closeRequested(WebSocketErrorCode?)
        /// The client broke the protocol: close with this code and reason.
        case violation(WebSocketErrorCode, String)
    }

    /// The largest message a client may send, fragments included.
    let maxMessageSize: Int
    /// The text message being received in fragments, if any.
    private var message: ByteBuffer?

    init(maxMessageSize: Int) {
        self.maxMessageSize = maxMessageSize
    }

    mutating func read(_ frame: WebSocketFrame) -> Verdict {
        guard frame.maskKey != nil else { return .violation(.protocolError, "client frames must be masked") }
        guard !frame.rsv1, !frame.rsv2, !frame.rsv3 else {
            return .violation(.protocolError, "reserved bits are set but no extension was negotiated")
        }
        switch frame.opcode {
        case .ping: return .pong(frame.unmaskedData)
        case .pong: return .none
        case .connectionClose: return close(frame.unmaskedData)
        case .text:
            guard message == nil else {
                return .violation(.protocolError, "a new message started before the last one ended")
            }
            message = ByteBuffer()
            return append(frame)
        case .continuation:
            guard message != nil else { return .violation(.protocolError, "a continuation frame without a message") }
            return append(frame)
        case .binary: return .violation(.unacceptableData, "binary messages are not accepted")
        default: return .violation(.protocolError, "reserved opcode \(frame.opcode)")
        }
    }

    private mutating func append(_ frame: WebSocketFrame) -> Verdict {
        var data = frame.unmaskedData
        guard var buffer = message, buffer.readableBytes + data.readableBytes <= maxMessageSize else {
            return .violation(.messageTooLarge, "messages are limited to \(maxMessageSize) bytes")
        }
        buffer.writeBuffer(&data)
        guard frame.fin else {
            message = buffer
            return .none
        }
        message = nil
        guard String(validating: buffer.readableBytesView, as: UTF8.self) != nil else {
            return .violation(.dataInconsistentWithMessage, "text messages must be valid UTF-8")
        }
        return .none
    }

    /// A close frame: empty, or a valid code (§7.4.1: 1000–1003, 1007–1014, 3000–4999) and a UTF-8 reason.
    private func close(_ payload: ByteBuffer) -> Verdict {
        var payload = payload
        guard payload.readableBytes > 0 else { return .closeRequested(nil) }
        guard let raw = payload.readInteger(as: UInt16.self) else {
            return .violation(.protocolError, "a close frame's payload must hold a 2-byte code")
        }
        guard (1000...1003).contains(raw) || (1007...1014).contains(raw) || (3000...4999).contains(raw) else {
            return .violation(.protocolError, "close code \(raw) may not be sent")
        }
        guard String(validating: payload.readableBytesView, as: UTF8.self) != nil else {
            return .violation(.dataInconsistentWithMessage, "a close reason must be valid UTF-8")
        }
        return .closeRequested(WebSocketErrorCode(codeNumber: Int(raw)))
    }
}
