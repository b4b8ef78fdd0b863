import Foundation
import ProcessTestSupport
import RedisTestSupport

/// A WebSocket client over a plain socket, on a thread of its own: its pings are answered (or not) the moment they
/// arrive, whatever the cooperative pool of the test process is busy with.
struct RawWebSocket {
    /// What it saw: the text messages, and after how many seconds the server closed the connection (nil: still open
    /// at the end).
    struct Outcome: Sendable {
        var messages: [String]
        var closedAfter: TimeInterval?
    }

    /// Opens `/ws?query`, answers pings with pongs when `answersPings`, and reads until `count` text messages came
    /// (and `done` says so, when given), the server closed the connection, or `limit` seconds passed; then closes
    /// its side.
    static func run(
        port: Int, query: String, answersPings: Bool, count: Int = .max, limit: TimeInterval,
        done: @escaping @Sendable () -> Bool = { true }
    ) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(
                    with: Result {
                        try session(
                            port: port, query: query, answersPings: answersPings, count: count, limit: limit,
                            done: done)
                    })
            }
        }
    }

    private static func session(
        port: Int, query: String, answersPings: Bool, count: Int, limit: TimeInterval, done: () -> Bool
    ) throws -> Outcome {
        let fd = try Loopback.socket(port: port)
        defer { close(fd) }
        var wait = timeval(tv_sec: 0, tv_usec: 50_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        let request =
            "GET /ws?\(query) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        try Loopback.writeAll(fd, Array(request.utf8))
        let started = Date()
        var received: [UInt8] = []
        var upgraded = false
        var outcome = Outcome(messages: [], closedAfter: nil)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while Date().timeIntervalSince(started) < limit && (outcome.messages.count < count || !done()) {
            let read = recv(fd, &buffer, buffer.count, 0)
            if read == 0 || (read < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                guard upgraded else { throw POSIXError(.ECONNREFUSED) }
                outcome.closedAfter = Date().timeIntervalSince(started)
                return outcome
            }
            guard read > 0 else { continue }
            received += buffer[0..<read]
            if !upgraded {
                guard let end = received.firstRange(of: Array("\r\n\r\n".utf8)) else { continue }
                guard received.starts(with: Array("HTTP/1.1 101".utf8)) else { throw POSIXError(.ECONNREFUSED) }
                upgraded = true
                received.removeSubrange(..<end.upperBound)
            }
            while let (opcode, payload, size) = frame(in: received) {
                received.removeFirst(size)
                switch opcode {
                case 0x1: outcome.messages.append(String(decoding: payload, as: UTF8.self))
                case 0x9 where answersPings: try Loopback.writeAll(fd, masked(opcode: 0xA, payload))
                case 0x8:
                    try? Loopback.writeAll(fd, masked(opcode: 0x8, payload))
                    outcome.closedAfter = Date().timeIntervalSince(started)
                    return outcome
                default: break
                }
            }
        }
        try? Loopback.writeAll(fd, masked(opcode: 0x8, [0x03, 0xE8]))
        return outcome
    }

    /// The first whole unmasked server frame in `bytes`: its opcode, payload and size.
    private static func frame(in bytes: [UInt8]) -> (UInt8, [UInt8], Int)? {
        guard bytes.count >= 2 else { return nil }
        var length = Int(bytes[1] & 0x7F)
        var offset = 2
        if length == 126 {
            guard bytes.count >= 4 else { return nil }
            length = Int(bytes[2]) << 8 | Int(bytes[3])
            offset = 4
        } else if length == 127 {
            guard bytes.count >= 10 else { return nil }
            length = bytes[2..<10].reduce(0) { $0 << 8 | Int($1) }
            offset = 10
        }
        guard bytes.count >= offset + length else { return nil }
        return (bytes[0] & 0x0F, Array(bytes[offset..<offset + length]), offset + length)
    }

    /// A client frame (masked, as RFC 6455 requires) with a small payload.
    private static func masked(opcode: UInt8, _ payload: [UInt8]) -> [UInt8] {
        let mask: [UInt8] = [1, 2, 3, 4]
        return [0x80 | opcode, 0x80 | UInt8(payload.count)] + mask
            + payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
    }
}
