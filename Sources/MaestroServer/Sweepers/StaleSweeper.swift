import Logging
import MaestroStore
import RedisClient

/// Marks stale work: every `interval`, each registered project's progress entries in queued or working with no
/// report for the project's `staleAfterSeconds` get `staleSince` and one `task:session_stale` each — exactly once,
/// however many servers sweep. An entry is marked within `interval` of going stale.
public struct StaleSweeper: PeriodicSweep {
    let server: ServerContext
    let interval: Duration
    let logger: Logger

    public init(server: ServerContext, interval: Duration = .seconds(1), logger: Logger) {
        self.server = server
        self.interval = interval
        self.logger = logger
    }

    /// One sweep over every project; returns the entries it marked.
    @discardableResult
    public func sweep() async throws -> [SweepStale.Step.Entry] {
        var marked: [SweepStale.Step.Entry] = []
        for projectId in try await server.pool.execute(RegisteredProjects()) {
            let scope = try server.scope(projectId)
            while true {
                let step = try await server.execute(SweepStale(scope: scope))
                marked += step.stale
                if !step.more { break }
                await Task.yield()
            }
        }
        if !marked.isEmpty {
            server.metrics.staleEntries(marked.count)
            logger.info("progress entries went stale", metadata: ["entries": "\(marked.count)"])
        }
        return marked
    }
}
