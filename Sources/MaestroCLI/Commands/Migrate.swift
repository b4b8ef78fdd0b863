import MaestroDomain
import MaestroMigration
import MaestroStore

/// `maestro migrate --from <dataDir> [--project P] [--dry-run] [--json]`
enum Migrate {
    static let spec = CommandSpec(
        name: "migrate",
        abstract: "Import the old Node server's data directory into Redis (spec §7).",
        discussion: """
            Reads <dataDir>/tasks/<projectId>/<taskId>.json (and older tasks/<taskId>.json), sessions/<id>.json
            and projects/<id>.json, maps them to the new model and writes each record with one atomic call.
            Safe to run again: records already in Redis are left unchanged, and a record Redis holds with a
            later updatedAt (changed since) is never overwritten — it is reported as skipped. Bad files are
            reported one by one and do not stop the rest. Values with no place in the new model stay with their
            record as extra data (shown by `task show` and `export`). Needs a Redis user allowed to run every
            command (not the agents' restricted user). Exit code 8 when any file or record was not imported.
            """,
        options: [
            .value("from", "dataDir", help: "The old server's data directory.", required: true),
            .value("project", "project-id", help: "Migrate only this project (default: every project found)."),
            .flag("dry-run", help: "Write nothing; report what a migration would do."),
            CommonOptions.reportJSON,
        ],
        run: run
    )

    static func run(_ arguments: ParsedArguments) throws {
        let environment = try CLIEnvironment.current()
        let project = try CommonOptions.project(in: arguments)
        let dryRun = arguments.flag("dry-run")
        let source = arguments.value("from") ?? ""
        let directory: LegacyDataDirectory
        do {
            directory = try LegacyDataDirectory(root: source)
        } catch {
            throw MaestroError(.invalidInput, error.message)
        }
        let connection = try environment.directConnection(for: "migrate")
        // Fail fast, before reading files, when Redis or the function library is not there.
        _ = try connection.run(GetProject(scope: try ProjectScope(projectId: project ?? ProjectScope.defaultProjectId)))
        let reading = ProgressBar(label: "reading ")
        var (batches, report): ([ImportBatch], MigrationReport)
        do {
            (batches, report) = try LegacyMigration.plan(
                directory, project: project, dryRun: dryRun, progress: reading.update)
        } catch {
            reading.finish()
            throw MaestroError(.invalidInput, error.message)
        }
        reading.finish()
        let importing = ProgressBar(label: dryRun ? "checking" : "importing")
        defer { importing.finish() }
        let runner = ImportRunner(
            connection: connection, dryRun: dryRun, streamMaxLength: environment.streamMaxLength,
            progress: importing.update)
        try runner.run(batches, report: &report)
        importing.finish()
        try ImportSummary.print(report, source: "maestro migrate --from \(source)", json: arguments.flag("json"))
    }
}
