import BenchReporting
import Dispatch
import Foundation
import RedisTestSupport
import Synchronization

/// Stops the private redis-server when the benchmark is interrupted (Ctrl-C, SIGTERM, SIGHUP).
///
/// Needed because `Process` starts the server in its own process group: Ctrl-C never reaches it, and a killed
/// benchmark would leave it running. Stopping the server makes whatever the benchmark was doing fail soon;
/// `main` then sees `wasInterrupted` and exits with 130 instead of reporting that failure.
/// Active while the value lives; `cancel()` restores the signal handling as it was.
final class InterruptGuard {
    private static let interrupted = Atomic<Bool>(false)
    private var sources: [any DispatchSourceSignal] = []
    /// The dispositions before, restored by `cancel()` (a `nohup` parent's ignored SIGHUP stays ignored).
    private var previousHandlers: [(Int32, __sighandler_t?)] = []

    /// Whether an interrupt has stopped the server.
    static var wasInterrupted: Bool { interrupted.load(ordering: .acquiring) }

    /// Ctrl-C, `kill`, and a closed terminal.
    private static let signals = [SIGINT, SIGTERM, SIGHUP]

    init(stopping server: RedisTestServer) {
        for signalNumber in Self.signals {
            // A dispatch signal source only sees signals whose default action has been disabled.
            previousHandlers.append((signalNumber, signal(signalNumber, SIG_IGN)))
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                StandardError.line("maestro-bench: interrupted; stopping redis-server")
                Self.interrupted.store(true, ordering: .releasing)
                server.stop()
            }
            source.resume()
            sources.append(source)
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
        sources = []
        for (signalNumber, handler) in previousHandlers { signal(signalNumber, handler) }
        previousHandlers = []
    }

    deinit { cancel() }
}
