import Logging
import MaestroStore
import RedisClient

/// Marks sessions whose supervisor's heartbeat is late as unresponsive, and fails those whose supervisor stopped
/// renewing its lease (host gone, supervisor killed): every `interval` it sweeps each project that has supervised
/// sessions. Each change is reported exactly once (`session:unresponsive`; `session:failed`, error "heartbeat
/// lost"). A session is failed within its lease TTL plus `interval` of its last heartbeat.
public struct LeaseSweeper: PeriodicSweep {
    let server: ServerContext
    let interval: Duration
    let logger: Logger

    public init(server: ServerContext, interval: Duration = .seconds(1), logger: Logger) {
        self.server = server
        self.interval = interval
        self.logger = logger
    }

    /// One sweep over every project with supervised sessions; returns the sessions it failed.
    @discardableResult
    public func sweep() async throws -> [String] {
        var failed: [String] = []
        for projectId in try await server.pool.execute(SupervisedProjects()) {
            guard let scope = try? server.scope(projectId) else { continue }
            let lost = try await server.execute(SweepLeases(scope: scope))
            server.metrics.heartbeatsLost(lost.count)
            for sessionId in lost {
                logger.warning(
                    "session failed: heartbeat lost", metadata: ["project": "\(projectId)", "session": "\(sessionId)"])
            }
            failed += lost
        }
        return failed
    }
}
