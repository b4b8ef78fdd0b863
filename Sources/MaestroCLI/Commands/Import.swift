import MaestroDomain
import MaestroMigration
import MaestroStore

#if canImport(Glibc)
    import Glibc
#endif

/// `maestro import [FILE] [--project P] [--force] [--dry-run] [--json]`
enum Import {
    /// The largest export read.
    static let maximumBytes = 2 * 1024 * 1024 * 1024

    static let spec = CommandSpec(
        name: "import",
        abstract: "Read a project written by `maestro export` back into Redis.",
        discussion: """
            Recreates every record exactly (ids, statuses, timestamps, versions, notes, extra data, links in
            order; sessions keep working with their tokens). A record Redis already holds unchanged is left
            alone; one Redis holds with a later updatedAt is kept and reported as skipped, unless --force.
            Records that cannot be read or that Redis refuses are reported one by one and do not stop the rest
            (exit code 8). Needs a Redis user allowed to run every command.
            """,
        arguments: [
            ArgumentSpec(name: "file", help: "The export file ('-' or none: standard input).", isOptional: true)
        ],
        options: [
            .value("project", "project-id", help: "Import into this project instead of the one in the file."),
            .flag("force", help: "Also replace records Redis holds with a later updatedAt."),
            .flag("dry-run", help: "Write nothing; report what an import would do."),
            CommonOptions.reportJSON,
        ],
        run: run
    )

    static func run(_ arguments: ParsedArguments) throws {
        let environment = try CLIEnvironment.current()
        let project = try CommonOptions.project(in: arguments)
        let dryRun = arguments.flag("dry-run")
        let file = arguments.value("file").flatMap { $0 == "-" ? nil : $0 }
        let bytes: [UInt8]
        do throws(FileBytes.Failure) {
            if let file {
                bytes = try FileBytes.read(path: file, limit: maximumBytes)
            } else {
                bytes = try FileBytes.read(descriptor: STDIN_FILENO, limit: maximumBytes)
            }
        } catch {
            throw MaestroError(.invalidInput, error.message)
        }
        var (batch, report): (ImportBatch, MigrationReport)
        do {
            (batch, report) = try ExportFileReader.batch(from: bytes, into: project, dryRun: dryRun)
        } catch {
            throw MaestroError(.invalidInput, "\(file ?? "standard input"): \(error.message)")
        }
        let progress = ProgressBar(label: dryRun ? "checking" : "importing")
        defer { progress.finish() }
        let runner = ImportRunner(
            connection: try environment.directConnection(for: "import"),
            policy: arguments.flag("force") ? .force : .newer,
            dryRun: dryRun, streamMaxLength: environment.streamMaxLength, progress: progress.update)
        try runner.run([batch], report: &report)
        progress.finish()
        try ImportSummary.print(
            report, source: "maestro import \(file ?? "(standard input)") into project \(batch.projectId)",
            json: arguments.flag("json"))
    }
}
