import Logging
import ServiceLifecycle

/// A sweeper the API servers run in the background: every `interval` one `sweep()`, a failure logged and tried again
/// at the next tick, until graceful shutdown. Each sweep is made of atomic Redis functions, so any number of servers
/// may run the same sweeper at once.
protocol PeriodicSweep: Service, CustomStringConvertible {
    associatedtype Outcome
    var interval: Duration { get }
    var logger: Logger { get }
    func sweep() async throws -> Outcome
}

extension PeriodicSweep {
    public var description: String { "\(Self.self)(every \(interval))" }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while true {
                do {
                    _ = try await sweep()
                } catch {
                    logger.warning("\(Self.self) failed; retrying", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}
