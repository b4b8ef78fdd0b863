import BenchReporting
import Foundation
import RedisTestSupport
import Synchronization

/// Makes sure redis-server and maestro-server never outlive the benchmark, however it ends.
///
/// Normal ends and thrown errors stop them in `defer`s. This covers the rest. On Ctrl-C, SIGTERM or SIGHUP the
/// handler kills both children and wakes a cleanup thread (self-pipe), which removes the temporary directories
/// and exits with 128 + the signal. On a crash (a Swift trap is SIGILL) it kills them and hands the signal back to
/// whoever handled it before (Swift's backtracer). Real handlers, not `SIG_IGN` plus a dispatch source: an ignored
/// disposition would be inherited by the children, a handled one is reset to the default on exec. Only
/// async-signal-safe calls (`kill`, `write`, `sigaction`, `raise`) run in the handler.
enum ChildProcessGuard {
    /// The pids to kill (0: none). Written before the handlers can need them; read in the handler.
    private static let server = Atomic<Int32>(0)
    private static let redis = Atomic<Int32>(0)
    /// The signal that interrupted the run (0: none).
    private static let interruption = Atomic<Int32>(0)
    private static let directories = Mutex<[URL]>([])

    private static let interrupts: [Int32] = [SIGINT, SIGTERM, SIGHUP]
    private static let crashes: [Int32] = [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGABRT]
    /// The crash handlers that were there before (the Swift runtime's backtracer), indexed by signal number.
    nonisolated(unsafe) private static var previous: [sigaction] = Array(repeating: sigaction(), count: 65)
    /// The self-pipe: the handler writes the signal number, the cleanup thread reads it.
    nonisolated(unsafe) private static var wakeUp: [Int32] = [-1, -1]

    /// Whether an interrupt has stopped the run; the cleanup thread is then about to exit the process.
    static var wasInterrupted: Bool { interruption.load(ordering: .acquiring) != 0 }

    /// Installs the handlers and starts the cleanup thread; call once, before the first child is started.
    static func install() {
        _ = server.load(ordering: .relaxed)  // initialise the statics now, never first in a handler
        _ = redis.load(ordering: .relaxed)
        _ = interruption.load(ordering: .relaxed)
        guard pipe(&wakeUp) == 0 else { return }
        Thread.detachNewThread { cleanUpAfterInterrupt() }
        for signalNumber in interrupts + crashes {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signalNumber in
                if signalNumber == SIGINT || signalNumber == SIGTERM || signalNumber == SIGHUP {
                    // Marked before the kill, so the main thread's failure that follows knows why.
                    ChildProcessGuard.interruption.store(signalNumber, ordering: .releasing)
                    ChildProcessGuard.killChildren()
                    var byte = UInt8(truncatingIfNeeded: signalNumber)
                    _ = write(ChildProcessGuard.wakeUp[1], &byte, 1)
                    return
                }
                ChildProcessGuard.killChildren()
                // With the previous handler back, a returning fault happens again and `abort` raises again;
                // a trap instruction would not, so it is raised (pending until this handler returns).
                var restored = ChildProcessGuard.previous[Int(signalNumber)]
                sigaction(signalNumber, &restored, nil)
                if signalNumber == SIGTRAP { raise(SIGTRAP) }
            }
            sigemptyset(&action.sa_mask)
            var old = sigaction()
            sigaction(signalNumber, &action, &old)
            previous[Int(signalNumber)] = old
        }
    }

    /// Remembers the maestro-server pid (0 once it has been stopped).
    static func watchServer(_ pid: Int32) { server.store(pid, ordering: .releasing) }

    /// Remembers the redis-server pid (0 once it has been stopped).
    static func watchRedis(_ pid: Int32) { redis.store(pid, ordering: .releasing) }

    /// A temporary directory to remove if the run is interrupted (the normal paths remove it themselves).
    static func removeOnInterrupt(_ directory: URL) { directories.withLock { $0.append(directory) } }

    private static func killChildren() {
        let serverPid = server.load(ordering: .acquiring)
        if serverPid > 0 { kill(serverPid, SIGKILL) }
        let redisPid = redis.load(ordering: .acquiring)
        if redisPid > 0 { kill(redisPid, SIGKILL) }
    }

    private static func cleanUpAfterInterrupt() {
        var byte: UInt8 = 0
        while read(wakeUp[0], &byte, 1) != 1 {}
        StandardError.line("maestro-relay-bench: interrupted; killed redis-server and maestro-server")
        for directory in directories.withLock({ $0 }) { try? FileManager.default.removeItem(at: directory) }
        exit(128 + Int32(byte))
    }
}
