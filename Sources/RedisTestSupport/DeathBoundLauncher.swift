import Foundation
import ProcessTestSupport
import RedisClient
import Synchronization

/// Starts child processes that the kernel kills (SIGKILL) when this test process dies, however it dies — a crash,
/// a SIGKILL, a test runner timing out — so that no `redis-server` outlives the tests that started it.
///
/// Linux sends a process's parent-death signal (`PR_SET_PDEATHSIG`, set here through util-linux `setpriv`) when the
/// *thread* that started it ends. Threads of Swift's cooperative pool come and go, so every process is started from
/// one dedicated thread that lives until `finish()`; ending it is itself a last-resort kill of every child.
final class DeathBoundLauncher: Sendable {
    /// The queue, shared by callers and the thread.
    private final class Inbox: Sendable {
        let queue = Mutex<(work: [@Sendable () -> Void], isFinished: Bool)>(([], false))
        let wakeUp = DispatchSemaphore(value: 0)
    }

    private let inbox = Inbox()
    private let thread = Mutex<pthread_t?>(nil)

    init() {
        let started = PosixThread.start { [inbox] in
            while true {
                inbox.wakeUp.wait()
                let (work, isFinished) = inbox.queue.withLock { inbox in
                    defer { inbox.work.removeAll() }
                    return (inbox.work, inbox.isFinished)
                }
                for item in work { item() }
                if isFinished { return }
            }
        }
        thread.withLock { $0 = started }
    }

    deinit { finish() }

    /// Starts `executable` with `arguments`, its output discarded; waits until it has been spawned.
    func launch(_ executable: URL, _ arguments: [String]) throws -> Process {
        let result = Mutex<Result<ProcessBox, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let accepted = inbox.queue.withLock { inbox in
            guard !inbox.isFinished else { return false }
            inbox.work.append {
                result.withLock {
                    $0 = Result {
                        let process = Process()
                        if let setpriv = Self.setpriv {
                            process.executableURL = setpriv
                            process.arguments = ["--pdeathsig", "KILL", "--", executable.path] + arguments
                        } else {
                            process.executableURL = executable
                            process.arguments = arguments
                        }
                        process.standardOutput = FileHandle.nullDevice
                        process.standardError = FileHandle.nullDevice
                        try ProcessStart.serialized { try process.run() }
                        return ProcessBox(process)
                    }
                }
                done.signal()
            }
            return true
        }
        guard accepted else { throw RedisError(.connectionFailed, "the launcher has finished") }
        inbox.wakeUp.signal()
        done.wait()
        return try result.withLock { $0! }.get().process
    }

    /// Ends the launcher's thread (after the launches queued so far); its children get SIGKILL. Idempotent.
    func finish() {
        inbox.queue.withLock { $0.isFinished = true }
        inbox.wakeUp.signal()
        if let thread = thread.withLock({ $0.take() }) { pthread_join(thread, nil) }
    }

    /// util-linux `setpriv` (always there on Debian); without it, children are only stopped by `finish()` callers.
    private static let setpriv: URL? = ["/usr/bin/setpriv", "/bin/setpriv"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }.map(URL.init(fileURLWithPath:))

    /// Hands a `Process` from the launcher's thread to the caller.
    private struct ProcessBox: @unchecked Sendable {
        // @unchecked: created on the launcher's thread, then only used by the one caller waiting for it.
        let process: Process
        init(_ process: Process) { self.process = process }
    }
}
