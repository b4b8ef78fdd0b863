import MaestroDomain
import MaestroMigration
import MaestroStore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// `maestro export [--project P] [--output FILE]`
enum Export {
    static let spec = CommandSpec(
        name: "export",
        abstract: "Write a whole project (tasks with their progress, sessions, project record) as JSON.",
        discussion: """
            The file holds every field as stored — ids, statuses, timestamps, versions, notes, extra data, links in
            order — so `maestro import` recreates the project exactly, in this or another Redis. Sessions carry
            the SHA-1 of their token, never the token: an imported session keeps working with the token it had.
            Keep exports private all the same. The project is read page by page and read again (up to three
            times) if it changes meanwhile; a warning says when it never held still.
            """,
        options: [
            .value("project", "project-id", help: "The project (default: MAESTRO_PROJECT_ID, else default)."),
            .value("output", "file", help: "Write to this file (atomically, mode 0600) instead of stdout."),
        ],
        run: run
    )

    static func run(_ arguments: ParsedArguments) throws {
        var environment = try CLIEnvironment.current()
        if let project = arguments.value("project") { environment.projectId = project }
        let scope = try environment.scope()
        let connection = try environment.directConnection(for: "export")
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let (export, isConsistent) = try ProjectExporter.export(
            scope, from: connection, exportedAt: LegacyTimestamp.iso(milliseconds: now) ?? "")
        if !isConsistent {
            printError(
                "warning: project \(scope.projectId) kept changing while it was exported; this copy mixes moments")
        }
        if export.project == nil && export.tasks.isEmpty && export.sessions.isEmpty {
            printError(
                "warning: project \(scope.projectId) has no tasks, sessions or project record; the export is empty")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let bytes = Array(try encoder.encode(export)) + [0x0A]
        let counts =
            "\(export.tasks.count) task(s) and \(export.sessions.count) session(s) of project \(scope.projectId)"
        guard let output = arguments.value("output") else {
            guard FileBytes.write(bytes, descriptor: STDOUT_FILENO) else {
                throw MaestroError(.invalidInput, "cannot write to standard output")
            }
            return
        }
        do {
            try FileBytes.write(bytes, to: output)
        } catch {
            throw MaestroError(.invalidInput, error.message)
        }
        print("exported \(counts) to \(output)")
    }
}
