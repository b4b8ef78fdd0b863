import Foundation
import MaestroStore
import ProcessTestSupport
import RedisClient
import RedisTestSupport
import Testing

/// kill -9 of maestro-server (the relay) while 100 clients stream and agents keep writing; every client reconnects to
/// another relay on the same Redis (`--role relay`), resumes from the last id it saw and ends with exactly the
/// stream's events, in order. With MAESTRO_TEST_REDIS=cluster the Redis is a 3-primary cluster.
@Suite("Relay killed while clients stream")
struct RelayCrashTests {
    static let clients = 100
    static let token = "mut_relay_crash_0123456789abcdef"

    /// A Server-Sent Events client that reconnects with `since=<last id>` until it has seen `final`.
    final class ResumingClient: @unchecked Sendable {
        // @unchecked: `ids` and `reconnects` are written by the client's own thread, read after it finished.
        var ids: [String] = []
        var reconnects = 0
        let finished = DispatchSemaphore(value: 0)

        /// Connects to `ports` in turn: the first, then the next one after each lost connection.
        func run(ports: [Int], since: String, final: @escaping @Sendable () -> String?, deadline: Date) {
            Thread.detachNewThread { [self] in
                defer { finished.signal() }
                var last = since
                while Date() < deadline {
                    if let final = final(), last == final { return }
                    guard let fd = try? Loopback.socket(port: ports[reconnects % ports.count]) else {
                        reconnects += 1
                        usleep(50_000)
                        continue
                    }
                    var wait = timeval(tv_sec: 0, tv_usec: 200_000)
                    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
                    let request =
                        "GET /events?projectId=p&since=\(last)&token=\(RelayCrashTests.token) HTTP/1.1\r\n"
                        + "Host: 127.0.0.1\r\n\r\n"
                    try? Loopback.writeAll(fd, Array(request.utf8))
                    var pending = ""
                    var buffer = [UInt8](repeating: 0, count: 65536)
                    reading: while Date() < deadline {
                        let count = recv(fd, &buffer, buffer.count, 0)
                        if count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK) { break reading }
                        if count > 0 { pending += String(decoding: buffer[0..<count], as: UTF8.self) }
                        while let end = pending.range(of: "\n") {
                            let line = String(pending[..<end.lowerBound])
                            pending = String(pending[end.upperBound...])
                            if line.hasPrefix("id: ") {
                                last = String(line.dropFirst(4))
                                ids.append(last)
                            }
                        }
                        if let final = final(), last == final { break reading }
                    }
                    close(fd)
                    if let final = final(), last == final { return }
                    reconnects += 1
                    usleep(50_000)
                }
            }
        }
    }

    /// A maestro-server on a port of its choosing, and that port, once ready.
    func startServer(redis: RedisTestServer, role: String = "all") throws -> (CLIProcess.Running, Int) {
        let server = try CLIProcess(
            environment: [
                "PATH": ServerBinaryTests.path, "MAESTRO_REDIS_URL": redis.url, "MAESTRO_USER_TOKEN": Self.token,
            ],
            executable: "maestro-server"
        ).start("--role", role, "--port", "0", "--data-dir", redis.directory.path)
        let port = try ServerBinaryTests.readyPort(of: server)
        if port == nil { server.signal(SIGKILL) }
        return (server, try #require(port, "readyz: \(server.stderr)"))
    }

    @Test("100 SSE clients move to another relay after kill -9 of theirs: none misses an event, none gets one twice")
    func relayKilled() async throws {
        let redis = try await RedisTestServer.start()
        defer { redis.stop() }
        let (server, port) = try startServer(redis: redis)
        defer { server.signal(SIGKILL) }
        let (otherRelay, otherPort) = try startServer(redis: redis, role: "relay")
        defer { otherRelay.signal(SIGKILL) }
        let writer = redis.connect()
        let scope = try ProjectScope(projectId: "p", streamMaxLength: 0)
        _ = try writer.run(CreateTask(scope: scope, taskId: "first", title: "First"))
        let cursor = try writer.events(in: scope, after: "0-0", count: 10).last!.id

        let finalId = LockedValue<String?>(nil)
        let deadline = Date().addingTimeInterval(120)
        let clients = (0..<Self.clients).map { _ in ResumingClient() }
        for client in clients {
            client.run(ports: [port, otherPort], since: cursor, final: { finalId.value }, deadline: deadline)
        }

        for index in 0..<300 {
            _ = try writer.run(CreateTask(scope: scope, taskId: "t\(index)", title: "Task \(index)"))
            if index == 100 {
                server.signal(SIGKILL)
                _ = server.wait()
            }
            usleep(5_000)
        }
        let expected = try writer.events(in: scope, after: cursor, count: 1_000_000).map(\.id)
        finalId.value = expected.last
        for client in clients { _ = client.finished.wait(timeout: .now() + 60) }

        let missed = clients.map { Set(expected).subtracting($0.ids).count }
        let duplicated = clients.map { $0.ids.count - Set($0.ids).count }
        let reconnected = clients.filter { $0.reconnects > 0 }.count
        #expect(clients.allSatisfy { $0.ids == expected }, "every client holds exactly the stream's events, in order")
        #expect(missed.allSatisfy { $0 == 0 } && duplicated.allSatisfy { $0 == 0 })
        #expect(reconnected == Self.clients, "every client lost its relay and moved to the other one")
        print(
            "relay-crash: \(Self.clients) clients, \(expected.count) events, \(reconnected) reconnected, "
                + "missed \(missed.reduce(0, +)), duplicated \(duplicated.reduce(0, +))")
    }
}

/// A value several threads read and one sets.
final class LockedValue<Value: Sendable>: @unchecked Sendable {
    // @unchecked: guarded by `lock`.
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
