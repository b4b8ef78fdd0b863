import ArgumentParser
import MaestroDomain
import MaestroStore

/// `maestro task create <title> [--description D] [--priority P] [--parent ID]`
struct TaskCreate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a task (status todo) and print its id.",
        discussion: "Anyone may create tasks; only people change a task's status, in the dashboard."
    )

    @Argument(help: "The title (1-500 characters, one line).")
    var title: String

    @Option(help: "A longer description (up to 64 KiB).")
    var description: String?

    @Option(help: "low, medium, high or urgent.")
    var priority: TaskPriority = .medium

    @Option(help: "The parent task's id (same project).")
    var parent: String?

    @Option(help: "The new task's id (default: a fresh task_… id).")
    var id: String?

    @OptionGroup var write: WriteOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let environment = try CLIEnvironment.current()
        let taskId = id ?? RandomIdentifier.make(prefix: "task")
        try Validation.identifier(taskId, "task id")
        try Validation.title(title)
        if let description { try Validation.text(description, "a description", limit: Limits.descriptionBytes) }
        if let parent { try Validation.identifier(parent, "parent task id") }
        let operation = CreateTask(
            scope: try environment.scope(), taskId: taskId, title: title, description: description,
            priority: priority, parentId: parent, idempotencyKey: try write.key())
        let change = try environment.connection().run(operation)
        if output.json { return try Output.json(change.task) }
        print(change.task.id)
    }
}
