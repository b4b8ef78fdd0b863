import ArgumentParser
import MaestroDomain
import MaestroStore

/// `maestro task update <taskId> --status S [--notes N]`
struct TaskUpdate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Report this session's status on a task.",
        discussion: """
            Allowed changes: queued → working; working → completed, blocked, needs_input, failed; blocked, \
            needs_input, failed → working; any → cancelled. Repeating the current status refreshes it. \
            The first `working` on a task still in To Do moves the task to In Progress. \
            Needs a session context.
            """
    )

    @Argument(help: "The task.")
    var taskId: String

    @Option(help: "The new status: \(SessionStatus.allCases.map(\.rawValue).joined(separator: ", ")).")
    var status: SessionStatus

    @Option(help: "Why (up to 4 KiB); blocked and needs_input should always say. Omit to clear earlier notes.")
    var notes: String?

    @OptionGroup var write: WriteOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let environment = try CLIEnvironment.current()
        let session = try environment.session()
        try Validation.identifier(taskId, "task id")
        if let notes { try Validation.text(notes, "notes", limit: Limits.notesBytes) }
        if status.expectsNotes && (notes ?? "").isEmpty {
            printError("warning: --status \(status.rawValue) should explain why with --notes \"...\"")
        }
        let operation = UpdateProgress(
            scope: try environment.scope(), session: session, taskId: taskId, status: status, notes: notes,
            idempotencyKey: try write.key())
        let change = try environment.connection().run(operation)
        if output.json { return try Output.json(change) }
        var line = "\(change.taskId): \(change.status.rawValue)"
        if change.previousStatus != change.status { line += " (was \(change.previousStatus.rawValue))" }
        if change.eventIds.count > 1 { line += "; task is now \(change.taskStatus.rawValue)" }
        print(line)
    }
}
