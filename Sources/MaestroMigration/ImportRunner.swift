import MaestroDomain
import MaestroStore
import RedisClient

/// Writes batches of records through the function library, one atomic call per record, and records every
/// outcome in the report. A record Redis refuses is reported and the rest goes on; a lost connection or a
/// missing library stops the run (the error is thrown), since every later call would fail the same way.
public struct ImportRunner {
    public var connection: RedisConnection
    public var policy: ImportPolicy
    /// Work out and report every outcome, write nothing.
    public var dryRun: Bool
    /// The approximate cap of each project's event stream.
    public var streamMaxLength: Int
    /// Called after each record with the number done and the total.
    public var progress: ((Int, Int) -> Void)?

    public init(
        connection: RedisConnection, policy: ImportPolicy = .newer, dryRun: Bool = false,
        streamMaxLength: Int = ProjectScope.defaultStreamMaxLength, progress: ((Int, Int) -> Void)? = nil
    ) {
        self.connection = connection
        self.policy = policy
        self.dryRun = dryRun
        self.streamMaxLength = streamMaxLength
        self.progress = progress
    }

    /// Imports the batches in order: per project, its record, its tasks, then its sessions.
    public func run(_ batches: [ImportBatch], report: inout MigrationReport) throws {
        let total = batches.reduce(0) { $0 + $1.count }
        var done = 0
        func step() {
            done += 1
            progress?(done, total)
        }
        for batch in batches {
            let scope = try ProjectScope(projectId: batch.projectId, streamMaxLength: streamMaxLength)
            if !dryRun { try connection.execute(RegisterProject(scope: scope)) }
            if let project = batch.project {
                try write(
                    ImportProject(
                        scope: scope, project: project, policy: policy, dryRun: dryRun, idempotencyKey: key()),
                    kind: .project, id: project.id, updatedAt: project.updatedAt, batch: batch, report: &report)
                step()
            }
            for task in batch.tasks {
                try write(
                    ImportTask(scope: scope, task: task, policy: policy, dryRun: dryRun, idempotencyKey: key()),
                    kind: .task, id: task.id, updatedAt: task.updatedAt, batch: batch, report: &report)
                step()
            }
            for session in batch.sessions {
                try write(
                    ImportSession(
                        scope: scope, session: session.session, tokenHash: session.tokenHash, policy: policy,
                        dryRun: dryRun, idempotencyKey: key()),
                    kind: .session, id: session.session.id, updatedAt: session.session.updatedAt, batch: batch,
                    report: &report)
                step()
            }
        }
    }

    /// A fresh idempotency key, so a call resent after a lost connection applies once; none for dry runs.
    private func key() -> String? {
        dryRun ? nil : RandomIdentifier.make(prefix: "import")
    }

    private func write<Operation: StoreOperation>(
        _ operation: Operation, kind: MigrationReport.RecordKind, id: String, updatedAt: String, batch: ImportBatch,
        report: inout MigrationReport
    ) throws where Operation.Response == ImportOutcome {
        let outcome: ImportOutcome
        do {
            outcome = try connection.run(operation)
        } catch let error as MaestroError {
            report[kind].failed += 1
            report.failures.append(
                MigrationReport.Failure(
                    path: batch.sources[ImportBatch.key(kind, id)], kind: kind, projectId: batch.projectId, id: id,
                    message: error.message))
            return
        }
        report.count(outcome.outcome, of: kind)
        if outcome.outcome == .skipped {
            report.skipped.append(
                MigrationReport.Skip(
                    kind: kind, projectId: batch.projectId, id: id, reason: outcome.reason ?? "newer",
                    current: outcome.current ?? "", incoming: updatedAt))
        }
    }
}
