import Logging
import RedisTestSupport
import Synchronization
import WSClient

/// `count` WebSocket clients on maestro-server's `/ws` for one project, each recording the latency of every
/// measured event it receives, until `close()`.
///
/// Each client is swift-websocket's `WebSocketClient` on NIO's shared event loops, with one task per client
/// (as a dashboard would run it). The main thread drives them: `open` and `close` block it while they run.
final class WebSocketReceivers: Sendable {
    /// At most this many handshakes in flight, so the server's listen backlog never overflows (a dropped SYN
    /// costs a one-second retransmit).
    static let connectWindow = 64

    let count: Int
    private let url: String
    private let logger: Logger
    private let started = Atomic<Int>(0)
    private let connected = Atomic<Int>(0)
    private let failed = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private let measuredFrames = Atomic<Int>(0)
    private let firstFailure = Mutex<String?>(nil)
    private let results = Mutex<[ReceiverResult]>([])
    private let stop = StopSignal()

    init(port: Int, projectId: String, token: String, count: Int) {
        self.count = count
        url = "ws://127.0.0.1:\(port)/ws?projectId=\(projectId)&token=\(token)"
        var logger = Logger(label: "maestro-relay-bench.ws", factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = .error
        self.logger = logger
    }

    /// Measured events received so far, by all clients together.
    var framesReceived: Int { measuredFrames.load(ordering: .relaxed) }

    /// Connects every client, at most `connectWindow` handshakes at once; throws if any cannot connect.
    func open(timeout: Double) throws {
        let settled = { self.connected.load(ordering: .acquiring) + self.failed.load(ordering: .acquiring) }
        for _ in 0..<count {
            _ = MonotonicClock.wait(timeout: timeout, interval: 0.0005) {
                started.load(ordering: .acquiring) - settled() < Self.connectWindow
            }
            started.add(1, ordering: .acquiringAndReleasing)
            // Detached: the main thread that starts them is blocked meanwhile, so it must not be their executor.
            Task.detached { [self] in
                let result = await runClient()
                results.withLock { $0.append(result) }
                finished.add(1, ordering: .acquiringAndReleasing)
            }
        }
        let allSettled = MonotonicClock.wait(timeout: timeout) { settled() == count }
        let failures = failed.load(ordering: .acquiring)
        guard allSettled, failures == 0 else {
            let reason = firstFailure.withLock { $0 } ?? "timed out after \(Int(timeout)) s"
            throw RelayBenchError(
                "\(failures) of \(count) WebSocket clients could not connect to \(url) "
                    + "(\(connected.load(ordering: .acquiring)) did): \(reason)")
        }
    }

    /// Closes every client (its close frame, then the server's answer) and returns what each one saw.
    func close(timeout: Double) throws -> [ReceiverResult] {
        stop.fire()
        let all = started.load(ordering: .acquiring)
        guard MonotonicClock.wait(timeout: timeout, until: { finished.load(ordering: .acquiring) == all }) else {
            throw RelayBenchError("\(all - finished.load(ordering: .acquiring)) WebSocket clients did not close")
        }
        return results.withLock { $0 }
    }

    /// One client's state, shared by its handler's two tasks and the code that reports it.
    private final class ClientState: Sendable {
        struct Value {
            var connected = false
            var result = ReceiverResult()
        }

        private let value = Mutex(Value())

        func withLock<T>(_ body: (inout Value) -> T) -> T { value.withLock { body(&$0) } }
    }

    private func runClient() async -> ReceiverResult {
        let state = ClientState()
        var configuration = WebSocketClientConfiguration(maxFrameSize: 1 << 20)
        configuration.closeTimeout = .seconds(5)
        do {
            let closeFrame = try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) {
                inbound, outbound, _ in
                state.withLock { $0.connected = true }
                self.connected.add(1, ordering: .acquiringAndReleasing)
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        let result = await self.receive(inbound)
                        state.withLock { $0.result = result }
                    }
                    group.addTask {
                        await self.stop.wait()
                        try? await outbound.close(.normalClosure, reason: "round over")
                    }
                }
            }
            if let closeFrame {
                state.withLock { state in
                    if state.result.endedEarly != nil {
                        let reason = closeFrame.reason ?? ""
                        state.result.endedEarly = "closed by the server: \(closeFrame.closeCode) \"\(reason)\""
                    }
                }
            }
        } catch {
            let wasConnected = state.withLock { $0.connected }
            if !wasConnected {
                failed.add(1, ordering: .acquiringAndReleasing)
                firstFailure.withLock { $0 = $0 ?? "\(error)" }
            }
            state.withLock { state in
                if !wasConnected || !stop.isFired { state.result.endedEarly = state.result.endedEarly ?? "\(error)" }
            }
        }
        return state.withLock { $0.result }
    }

    /// Reads frames until the connection closes; a frame whose notes hold a timestamp is a measured event.
    private func receive(_ inbound: WebSocketInboundStream) async -> ReceiverResult {
        var result = ReceiverResult()
        do {
            for try await frame in inbound where frame.opcode == .text {
                let now = MonotonicClock.nanoseconds()
                guard let sent = frame.data.withUnsafeReadableBytes({ NotesTimestamp.parse($0) }) else { continue }
                result.latencies.append(Int64(bitPattern: now &- sent))
                measuredFrames.add(1, ordering: .relaxed)
            }
            if !stop.isFired { result.endedEarly = "the server closed the connection" }
        } catch {
            if !stop.isFired { result.endedEarly = "\(error)" }
        }
        return result
    }
}
