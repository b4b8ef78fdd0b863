/// Reads and maps a whole old data directory into import batches (spec §7), reporting every file that cannot
/// become a record and why, without stopping at it.
public enum LegacyMigration {
    /// The batches to import and the report so far (mapping notes and unreadable files; the import adds the
    /// outcomes). `progress` is called after each file with the number read and the total.
    public static func plan(
        _ directory: LegacyDataDirectory, project: String? = nil, dryRun: Bool = false,
        progress: ((Int, Int) -> Void)? = nil
    ) throws(MappingFailure) -> (batches: [ImportBatch], report: MigrationReport) {
        var report = MigrationReport(dryRun: dryRun)
        let listing = try directory.listing(project: project)
        report.ignoredFiles = listing.ignored
        var tasks: [MappedTask] = []
        var sessions: [MappedSession] = []
        var projects: [MappedProject] = []
        for (index, entry) in listing.entries.enumerated() {
            defer { progress?(index + 1, listing.entries.count) }
            do throws(MappingFailure) {
                let fields = try directory.read(entry)
                switch entry.kind {
                case .task(let folder):
                    tasks.append(
                        try LegacyTaskMapper.map(fields, fileStem: entry.stem, directory: folder, path: entry.path))
                case .session:
                    sessions.append(try LegacySessionMapper.map(fields, fileStem: entry.stem, path: entry.path))
                case .project:
                    projects.append(try LegacyProjectMapper.map(fields, fileStem: entry.stem, path: entry.path))
                }
            } catch {
                // With a project filter, a file known to belong to another project is not this run's business.
                if let project, let owner = error.projectId ?? entry.directory, owner != project { continue }
                report[entry.recordKind].failed += 1
                report.failures.append(
                    MigrationReport.Failure(
                        path: entry.path, kind: entry.recordKind, projectId: error.projectId ?? entry.directory,
                        message: error.message))
            }
        }
        let batches = MigrationPlanner.batches(
            tasks: tasks, sessions: sessions, projects: projects, only: project, report: &report)
        return (batches, report)
    }
}
