#if canImport(Glibc)
    import Glibc
#endif

/// Where the supervisor's loop waits: one pipe that carries the signals the process receives (their numbers)
/// and wake-ups from the control listener thread, polled with a timeout for the next heartbeat.
public final class WakeupPipe: Sendable {
    /// What `wait` returns.
    enum Wakeup: Equatable {
        case signal(Int32)
        case control
    }

    private static let controlByte: UInt8 = 255
    private let readEnd: Int32
    private let writeEnd: Int32

    public init() {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { fatalError("cannot create a pipe: \(String(cString: strerror(errno)))") }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, O_NONBLOCK)
        }
        readEnd = ends[0]
        writeEnd = ends[1]
    }

    /// Routes `signals` into the pipe. Call once, before the child starts (so no SIGCHLD is missed).
    public func route(signals: [Int32]) {
        signalPipeWriteEnd = writeEnd
        for number in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                let saved = errno
                var byte = UInt8(truncatingIfNeeded: number)
                _ = write(signalPipeWriteEnd, &byte, 1)
                errno = saved
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART | (number == SIGCHLD ? SA_NOCLDSTOP : 0)
            sigaction(number, &action, nil)
        }
    }

    /// Wakes the loop; safe from any thread.
    func wake() {
        var byte = Self.controlByte
        _ = write(writeEnd, &byte, 1)
    }

    /// What happened within `timeout` (empty when nothing did).
    func wait(timeout: Duration) -> [Wakeup] {
        let milliseconds = max(
            0,
            Int32(
                clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds
                    / 1_000_000_000_000_000))
        var descriptor = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, milliseconds) > 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: 64)
        var wakeups: [Wakeup] = []
        while true {
            let count = read(readEnd, &buffer, buffer.count)
            guard count > 0 else { break }
            for byte in buffer[..<count] {
                let wakeup: Wakeup = byte == Self.controlByte ? .control : .signal(Int32(byte))
                if !wakeups.contains(wakeup) { wakeups.append(wakeup) }
            }
        }
        return wakeups
    }
}

/// The pipe the signal handler writes to; a C signal handler cannot capture context.
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1
