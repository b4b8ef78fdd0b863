import MaestroDomain
import MaestroStore

/// `maestro task update <taskId> --status S [--notes N]`
enum TaskUpdate {
    static let spec = CommandSpec(
        name: "update",
        abstract: "Report this session's status on a task.",
        discussion: """
            Allowed changes: queued → working; working → completed, blocked, needs_input, failed; blocked,
            needs_input, failed → working; any → cancelled. Repeating the current status refreshes it.
            The first `working` on a task still in To Do moves the task to In Progress. Needs a session context.
            """,
        arguments: [ArgumentSpec(name: "task-id", help: "The task.")],
        options: [
            .value(
                "status", "status", help: "The new status.", allowed: CommonOptions.names(SessionStatus.self),
                required: true),
            .value(
                "notes", "notes",
                help: "Why (up to 4 KiB); blocked and needs_input should always say. Omit to clear earlier notes."),
            CommonOptions.idempotencyKey,
            CommonOptions.json,
        ],
        run: run
    )

    static func run(_ arguments: ParsedArguments) throws {
        let environment = try CLIEnvironment.current()
        let session = try environment.session()
        let taskId = arguments.value("task-id") ?? ""
        let status = arguments.value("status", as: SessionStatus.self) ?? .working
        let notes = arguments.value("notes")
        try Validation.identifier(taskId, "task id")
        if let notes { try Validation.text(notes, "notes", limit: Limits.notesBytes) }
        if status.expectsNotes && (notes ?? "").isEmpty {
            printError("warning: --status \(status.rawValue) should explain why with --notes \"...\"")
        }
        let change = try environment.backend().update(
            taskId, to: status, notes: notes, as: session,
            idempotencyKey: try CommonOptions.idempotencyKey(in: arguments))
        if arguments.flag("json") { return try Output.json(change) }
        var line = "\(change.taskId): \(change.status.rawValue)"
        if change.previousStatus != change.status { line += " (was \(change.previousStatus.rawValue))" }
        if change.eventIds.count > 1 { line += "; task is now \(change.taskStatus.rawValue)" }
        print(line)
    }
}
