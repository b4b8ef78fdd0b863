import BenchReporting

#if canImport(Glibc)
    import Glibc
#endif

/// Level-triggered epoll for the receivers' read loop, called through libc's exported symbols: Swift's Glibc
/// module does not include <sys/epoll.h>, and this benchmark adds no C shim target of its own nor imports
/// swift-nio's internal CNIOLinux. One thread waits; others may add and remove sockets meanwhile.
final class Epoll: @unchecked Sendable {
    // @unchecked: the descriptor is the only state after init; epoll_ctl and epoll_wait on it may run on different
    // threads (the kernel serializes them), and `wait`'s buffer is touched by the one waiting thread only.
    private typealias Create = @convention(c) (Int32) -> Int32
    private typealias Control = @convention(c) (Int32, Int32, Int32, UnsafeMutableRawPointer?) -> Int32
    private typealias Wait = @convention(c) (Int32, UnsafeMutableRawPointer, Int32, Int32) -> Int32

    // struct epoll_event { uint32_t events; epoll_data_t data; } is packed on x86_64 only.
    #if arch(x86_64)
        private static let eventSize = 12
        private static let dataOffset = 4
    #else
        private static let eventSize = 16
        private static let dataOffset = 8
    #endif
    private static let readable: UInt32 = 0x001  // EPOLLIN
    private static let add: Int32 = 1  // EPOLL_CTL_ADD
    private static let delete: Int32 = 2  // EPOLL_CTL_DEL

    private let control: Control
    private let waitForEvents: Wait
    private let fd: Int32
    private let events: UnsafeMutableRawBufferPointer
    private let capacity: Int

    /// Opens an epoll instance that reports up to `capacity` ready sockets per wait.
    init(capacity: Int = 512) throws {
        func symbol<T>(_ name: String, as type: T.Type) throws -> T {
            guard let address = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else {
                throw BenchError("libc has no \(name)")
            }
            return unsafeBitCast(address, to: type)
        }
        let create = try symbol("epoll_create1", as: Create.self)
        control = try symbol("epoll_ctl", as: Control.self)
        waitForEvents = try symbol("epoll_wait", as: Wait.self)
        fd = create(O_CLOEXEC)
        guard fd >= 0 else { throw BenchError("epoll_create1 failed: \(String(cString: strerror(errno)))") }
        self.capacity = capacity
        events = .allocate(byteCount: capacity * Self.eventSize, alignment: 8)
    }

    deinit {
        close(fd)
        events.deallocate()
    }

    /// Watches `socket` for input; `token` comes back from `wait` when it is readable.
    func add(_ socket: Int32, token: UInt64) throws {
        var event = [UInt8](repeating: 0, count: Self.eventSize)
        event.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: Self.readable, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: token, toByteOffset: Self.dataOffset, as: UInt64.self)
        }
        let result = event.withUnsafeMutableBytes { control(fd, Self.add, socket, $0.baseAddress) }
        guard result == 0 else { throw BenchError("epoll_ctl(ADD) failed: \(String(cString: strerror(errno)))") }
    }

    /// Stops watching `socket`.
    func remove(_ socket: Int32) { _ = control(fd, Self.delete, socket, nil) }

    /// Waits up to `timeout` milliseconds and calls `body` with the token of each readable socket.
    func wait(timeout: Int32, _ body: (UInt64) -> Void) {
        let ready = waitForEvents(fd, events.baseAddress!, Int32(capacity), timeout)
        guard ready > 0 else { return }
        for index in 0..<Int(ready) {
            body(events.loadUnaligned(fromByteOffset: index * Self.eventSize + Self.dataOffset, as: UInt64.self))
        }
    }
}
