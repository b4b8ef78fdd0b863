import Foundation
import Logging
import ProcessTestSupport
import RedisTestSupport
import WSClient

/// Collects the text frames of a WebSocket until `count` arrived (then closes), the server closes, or `timeout`
/// passes (then it closes too, so a missing event fails the test instead of hanging it).
func webSocketMessages(
    port: Int, query: String, count: Int, timeout: Duration = .seconds(30),
    onOpen: @escaping @Sendable () async throws -> Void = {}
) async throws -> (messages: [String], close: WebSocketCloseFrame?) {
    let collected = Collected()
    let close = try await WebSocketClient.connect(
        url: "ws://127.0.0.1:\(port)/ws?\(query)", configuration: .init(maxFrameSize: 1 << 20),
        logger: Logger(label: "ws-test")
    ) { inbound, outbound, _ in
        try await onOpen()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await Task.sleep(for: timeout)
                try? await outbound.close(.goingAway, reason: "test timeout")
            }
            for try await message in inbound.messages(maxSize: 1 << 20) {
                if case .text(let text) = message { collected.append(text) }
                if collected.count >= count { break }
            }
            group.cancelAll()
        }
        try? await outbound.close(.normalClosure, reason: nil)
    }
    return (collected.all, close)
}

/// The `data:` lines of a Server-Sent Events response, read over a plain socket until `count` or a timeout, on a
/// thread of its own (a blocking read on the cooperative pool could starve the server under test).
func serverSentEvents(port: Int, path: String, headers: [String: String], count: Int, timeout: TimeInterval = 10)
    async throws -> [String]
{
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(
                with: Result {
                    try readServerSentEvents(port: port, path: path, headers: headers, count: count, timeout: timeout)
                })
        }
    }
}

private func readServerSentEvents(port: Int, path: String, headers: [String: String], count: Int, timeout: TimeInterval)
    throws -> [String]
{
    let fd = try Loopback.socket(port: port)
    defer { close(fd) }
    var wait = timeval(tv_sec: 0, tv_usec: 200_000)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
    let request =
        "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + headers.map { "\($0.key): \($0.value)\r\n" }.joined() + "\r\n"
    _ = request.withCString { send(fd, $0, strlen($0), 0) }
    var received = ""
    var buffer = [UInt8](repeating: 0, count: 65536)
    let deadline = Date().addingTimeInterval(timeout)
    func events() -> [String] {
        received.components(separatedBy: "\n").filter { $0.hasPrefix("data: ") }
            .map { String($0.dropFirst("data: ".count)).trimmingCharacters(in: .whitespacesAndNewlines) }
    }
    while events().count < count && Date() < deadline {
        let n = recv(fd, &buffer, buffer.count, 0)
        if n == 0 { break }
        if n > 0 { received += String(decoding: buffer[0..<n], as: UTF8.self) }
    }
    return events()
}

/// Thread-safe message collection for the WebSocket handler.
final class Collected: @unchecked Sendable {
    // @unchecked: every access goes through `lock`.
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ item: String) { lock.withLock { items.append(item) } }
    var count: Int { lock.withLock { items.count } }
    var all: [String] { lock.withLock { items } }
}

/// An event's fields from its JSON text.
func decodeEvent(_ text: String) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
}
