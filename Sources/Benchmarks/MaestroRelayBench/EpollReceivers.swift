import BenchReporting
import Foundation
import MaestroDomain
import ProcessTestSupport
import RedisClient
import RedisTestSupport
import Synchronization

/// `count` receivers of the same events — raw Redis SSUBSCRIBE connections (the reference) or WebSocket clients of
/// maestro-server's `/ws` — all read by one epoll thread with non-blocking sockets and a decoder per socket: the
/// cheapest way one process can receive the events, the same on both sides, with the same latency clock.
final class EpollReceivers: @unchecked Sendable {
    // @unchecked: `subscribers` is filled by `open` before the loop thread starts and then touched only by that
    // thread until `close` has joined it; the counters are atomics.
    private struct Subscriber {
        let fd: Int32
        let decoder: any ReceiverDecoder
        var result = ReceiverResult()
    }

    /// At most this many receivers connecting (not yet confirmed) at once.
    static let connectWindow = 64

    let count: Int
    private let port: Int
    private let wire: any ReceiverWire
    private var subscribers: [Subscriber] = []
    private var epoll: Epoll?
    private let confirmed = Atomic<Int>(0)
    private let measuredMessages = Atomic<Int>(0)
    /// Events after this one are measured (the warm-up's last event, set before the measured ones are sent).
    private let measuredAfter = Mutex<StreamID>(StreamID(milliseconds: .max, sequence: .max))
    private let stopping = Atomic<Bool>(false)
    private let loopDone = DispatchSemaphore(value: 0)
    private var loopRunning = false

    init(port: Int, wire: any ReceiverWire, count: Int) {
        self.port = port
        self.wire = wire
        self.count = count
    }

    deinit { closeSockets() }

    /// Measured events received so far, by all subscribers together.
    var framesReceived: Int { measuredMessages.load(ordering: .relaxed) }

    /// Starts counting events after `id` as measured.
    func measure(after id: StreamID) { measuredAfter.withLock { $0 = id } }

    /// Connects every receiver, sends its opening (SSUBSCRIBE, or the WebSocket upgrade), and waits until every
    /// one is confirmed. At most `connectWindow` unconfirmed at once, so the listen backlog never overflows.
    func open(timeout: Double) throws {
        let epoll = try Epoll()
        self.epoll = epoll
        let opening = wire.opening
        subscribers.reserveCapacity(count)
        for index in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else {
                throw BenchError(
                    "cannot open socket \(index + 1) of \(count): \(String(cString: strerror(errno)))")
            }
            subscribers.append(Subscriber(fd: fd, decoder: wire.makeDecoder()))
        }
        // From here on `subscribers` does not change shape; the loop touches the entries epoll hands it.
        loopRunning = true
        Thread.detachNewThread { [self] in
            readLoop(epoll)
            loopDone.signal()
        }
        for (index, subscriber) in subscribers.enumerated() {
            _ = MonotonicClock.wait(timeout: timeout, interval: 0.0005) {
                index - confirmed.load(ordering: .acquiring) < Self.connectWindow
            }
            try SourceAddress.bind(subscriber.fd, index: index)
            try Loopback.connect(subscriber.fd, port: port)
            try Loopback.writeAll(subscriber.fd, opening)
            _ = fcntl(subscriber.fd, F_SETFL, fcntl(subscriber.fd, F_GETFL) | O_NONBLOCK)
            try epoll.add(subscriber.fd, token: UInt64(index))
        }
        guard MonotonicClock.wait(timeout: timeout, until: { confirmed.load(ordering: .acquiring) == count }) else {
            throw BenchError(
                "only \(confirmed.load(ordering: .acquiring)) of \(count) \(wire.name) receivers were confirmed")
        }
    }

    /// Stops the read loop, closes every socket and returns what each subscriber saw.
    func close() -> [ReceiverResult] {
        stopLoop()
        let results = subscribers.map(\.result)
        closeSockets()
        return results
    }

    private func stopLoop() {
        guard loopRunning else { return }
        stopping.store(true, ordering: .releasing)
        loopDone.wait()
        loopRunning = false
    }

    private func closeSockets() {
        stopLoop()
        for subscriber in subscribers { Glibc.close(subscriber.fd) }
        subscribers = []
        epoll = nil
    }

    /// Level-triggered: one read per ready socket per wake-up, so no socket waits behind a busy one.
    private func readLoop(_ epoll: Epoll) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !stopping.load(ordering: .acquiring) {
            epoll.wait(timeout: 50) { token in
                let index = Int(token)
                let received = buffer.withUnsafeMutableBytes { read(subscribers[index].fd, $0.baseAddress, $0.count) }
                if received > 0 {
                    consume(Array(buffer[0..<received]), into: index, epoll: epoll)
                } else if received == 0 || (errno != EAGAIN && errno != EINTR) {
                    subscribers[index].result.endedEarly =
                        received == 0 ? "the server closed the connection" : String(cString: strerror(errno))
                    epoll.remove(subscribers[index].fd)
                }
            }
        }
    }

    /// Decodes what arrived: confirmations, and events with their arrival time; writes back what the decoder
    /// answers (WebSocket pongs).
    private func consume(_ bytes: [UInt8], into index: Int, epoll: Epoll) {
        do {
            let answer = try subscribers[index].decoder.feed(
                bytes, confirmed: { confirmed.add(1, ordering: .acquiringAndReleasing) },
                message: { payload in
                    let now = MonotonicClock.nanoseconds()
                    guard let id = EventIDText.parse(payload), id > measuredAfter.withLock({ $0 }) else { return }
                    subscribers[index].result.arrivals.append(.init(id: id, nanoseconds: now))
                    measuredMessages.add(1, ordering: .relaxed)
                })
            if !answer.isEmpty { try Loopback.writeAll(subscribers[index].fd, answer) }
        } catch {
            subscribers[index].result.endedEarly = "\(error)"
            epoll.remove(subscribers[index].fd)
        }
    }
}
