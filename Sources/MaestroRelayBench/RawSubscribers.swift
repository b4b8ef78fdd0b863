import Foundation
import RedisClient
import RedisTestSupport
import Synchronization

/// The reference: `count` plain Redis connections SUBSCRIBEd to the project's live channel, all read by one
/// epoll thread with non-blocking sockets and a hiredis reply parser per socket (`RedisReplyParser`) — the
/// cheapest way one process can receive the same events maestro-server relays, with the same latency clock.
final class RawSubscribers: @unchecked Sendable {
    // @unchecked: `subscribers` is filled by `open` before the loop thread starts and then touched only by that
    // thread until `close` has joined it; the counters are atomics.
    private struct Subscriber {
        let fd: Int32
        let parser = RedisReplyParser()
        var result = ReceiverResult()
    }

    let count: Int
    private let port: Int
    private let channel: String
    private var subscribers: [Subscriber] = []
    private var epoll: Epoll?
    private let confirmed = Atomic<Int>(0)
    private let measuredMessages = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let loopDone = DispatchSemaphore(value: 0)
    private var loopRunning = false

    init(port: Int, channel: String, count: Int) {
        self.port = port
        self.channel = channel
        self.count = count
    }

    deinit { closeSockets() }

    /// Measured events received so far, by all subscribers together.
    var framesReceived: Int { measuredMessages.load(ordering: .relaxed) }

    /// Connects every subscriber, sends SUBSCRIBE, and waits until Redis has confirmed every subscription.
    func open(timeout: Double) throws {
        let epoll = try Epoll()
        self.epoll = epoll
        let subscribe = RedisCommand("SUBSCRIBE", channel).encoded()
        subscribers.reserveCapacity(count)
        for index in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else {
                throw RelayBenchError(
                    "cannot open socket \(index + 1) of \(count): \(String(cString: strerror(errno)))")
            }
            subscribers.append(Subscriber(fd: fd))
            try Loopback.connect(fd, port: port)
            try Loopback.writeAll(fd, subscribe)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            try epoll.add(fd, token: UInt64(index))
        }
        loopRunning = true
        Thread.detachNewThread { [self] in
            readLoop(self.epoll!)  // handed over: only the loop touches it until `close` joins it
            loopDone.signal()
        }
        guard MonotonicClock.wait(timeout: timeout, until: { confirmed.load(ordering: .acquiring) == count }) else {
            throw RelayBenchError(
                "only \(confirmed.load(ordering: .acquiring)) of \(count) raw SUBSCRIBEs were confirmed by Redis")
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
                        received == 0 ? "Redis closed the connection" : String(cString: strerror(errno))
                    epoll.remove(subscribers[index].fd)
                }
            }
        }
    }

    /// Parses every complete reply: `subscribe` confirmations, and `message`s whose notes carry a timestamp.
    private func consume(_ bytes: [UInt8], into index: Int, epoll: Epoll) {
        do {
            try subscribers[index].parser.feed(bytes)
            while let reply = try subscribers[index].parser.next() {
                guard let parts = reply.array, parts.count == 3, case .bulk(let kind) = parts[0] else { continue }
                if kind.elementsEqual("message".utf8), case .bulk(let payload) = parts[2] {
                    let now = MonotonicClock.nanoseconds()
                    guard let sent = payload.withUnsafeBytes({ NotesTimestamp.parse($0) }) else { continue }
                    subscribers[index].result.latencies.append(Int64(bitPattern: now &- sent))
                    measuredMessages.add(1, ordering: .relaxed)
                } else if kind.elementsEqual("subscribe".utf8) {
                    confirmed.add(1, ordering: .acquiringAndReleasing)
                }
            }
        } catch {
            subscribers[index].result.endedEarly = "\(error)"
            epoll.remove(subscribers[index].fd)
        }
    }
}
