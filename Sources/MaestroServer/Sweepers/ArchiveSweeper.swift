import Logging
import MaestroStore
import RedisClient

/// Moves finished tasks past their project's `archiveAfterDays` into the archive: every `interval`, one pass over
/// every registered project, in bounded steps (each call examines at most `batch` tasks per finished status). Steps
/// are atomic and walk from where the last one stopped, so any number of api servers may sweep at once.
public struct ArchiveSweeper: PeriodicSweep {
    let server: ServerContext
    let interval: Duration
    let batch: Int
    let logger: Logger

    public init(server: ServerContext, interval: Duration = .seconds(60), batch: Int = 500, logger: Logger) {
        self.server = server
        self.interval = interval
        self.batch = batch
        self.logger = logger
    }

    /// One pass over every project; returns the archived task ids by project.
    @discardableResult
    public func sweep() async throws -> [String: [String]] {
        var archived: [String: [String]] = [:]
        for projectId in try await server.pool.execute(RegisteredProjects()) {
            let scope = try server.scope(projectId)
            while true {
                let step = try await server.execute(ArchiveSweep(scope: scope, batch: batch))
                if !step.archived.isEmpty { archived[projectId, default: []] += step.archived }
                if step.passDone { break }
                await Task.yield()
            }
        }
        let count = archived.values.reduce(0) { $0 + $1.count }
        if count > 0 {
            server.metrics.archived(count)
            logger.info("archived finished tasks", metadata: ["tasks": "\(count)", "projects": "\(archived.count)"])
        }
        return archived
    }
}
