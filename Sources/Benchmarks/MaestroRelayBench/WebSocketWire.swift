import BenchReporting

/// A WebSocket client of maestro-server's `/ws` for one project, in as few instructions as the raw subscriber:
/// the upgrade request, then unmasked server frames (RFC 6455) read in place; pings are answered with pongs.
/// Confirmed once the server switched protocols (the relay feed starts as the upgrade completes).
struct WebSocketWire: ReceiverWire {
    let projectId: String
    let token: String

    var name: String { "WebSocket" }
    var opening: [UInt8] {
        Array(
            ("GET /ws?projectId=\(projectId)&token=\(token) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: bWFlc3Ryby1iZW5jaC1rZXk=\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .utf8)
    }
    func makeDecoder() -> any ReceiverDecoder { Decoder() }

    final class Decoder: ReceiverDecoder {
        private var buffer: [UInt8] = []
        private var upgraded = false

        func feed(
            _ bytes: [UInt8], confirmed: () -> Void, message: (UnsafeRawBufferPointer) -> Void
        ) throws -> [UInt8] {
            buffer += bytes
            var start = 0
            if !upgraded {
                guard let end = Self.headerEnd(buffer) else { return [] }
                guard buffer.starts(with: Array("HTTP/1.1 101".utf8)) else {
                    throw BenchError(
                        "the WebSocket upgrade was refused: \(String(decoding: buffer.prefix(80), as: UTF8.self))")
                }
                upgraded = true
                confirmed()
                start = end
            }
            var answer: [UInt8] = []
            while let frame = Self.frame(in: buffer, from: start) {
                switch frame.opcode {
                case 0x1:
                    buffer.withUnsafeBytes { message(UnsafeRawBufferPointer(rebasing: $0[frame.payload])) }
                case 0x8:
                    throw BenchError("the server closed the WebSocket")
                case 0x9:
                    answer += Self.maskedFrame(opcode: 0xA, payload: Array(buffer[frame.payload]))
                default:
                    break
                }
                start = frame.end
            }
            buffer.removeFirst(start)
            return answer
        }

        /// The offset just past the upgrade response's headers.
        private static func headerEnd(_ bytes: [UInt8]) -> Int? {
            guard bytes.count >= 4 else { return nil }
            for index in 3..<bytes.count
            where bytes[index - 3] == 13 && bytes[index - 2] == 10 && bytes[index - 1] == 13 && bytes[index] == 10 {
                return index + 1
            }
            return nil
        }

        /// The complete frame starting at `start`, if it has all arrived (server frames are never masked).
        private static func frame(in bytes: [UInt8], from start: Int) -> (opcode: UInt8, payload: Range<Int>, end: Int)?
        {
            guard bytes.count - start >= 2 else { return nil }
            var length = Int(bytes[start + 1] & 0x7F)
            var offset = start + 2
            if length == 126 {
                guard bytes.count - offset >= 2 else { return nil }
                length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
                offset += 2
            } else if length == 127 {
                guard bytes.count - offset >= 8 else { return nil }
                length = (0..<8).reduce(0) { $0 << 8 | Int(bytes[offset + $1]) }
                offset += 8
            }
            guard bytes.count - offset >= length else { return nil }
            return (bytes[start] & 0x0F, offset..<(offset + length), offset + length)
        }

        /// A client frame (clients must mask; the mask is all zero bits, which leaves the payload as it is).
        private static func maskedFrame(opcode: UInt8, payload: [UInt8]) -> [UInt8] {
            [0x80 | opcode, 0x80 | UInt8(payload.count)] + [0, 0, 0, 0] + payload
        }
    }
}
