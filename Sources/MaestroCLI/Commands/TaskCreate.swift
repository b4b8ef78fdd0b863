import MaestroDomain
import MaestroStore

/// `maestro task create <title> [--description D] [--priority P] [--parent ID]`
enum TaskCreate {
    static let spec = CommandSpec(
        name: "create",
        abstract: "Create a task (status todo) and print its id.",
        discussion: "Anyone may create tasks; only people change a task's status, in the dashboard.",
        arguments: [ArgumentSpec(name: "title", help: "The title (1-500 characters, one line).")],
        options: [
            .value("description", "text", help: "A longer description (up to 64 KiB)."),
            .value("priority", "priority", help: "Default medium.", allowed: CommonOptions.names(TaskPriority.self)),
            .value("parent", "task-id", help: "The parent task (same project)."),
            .value("id", "task-id", help: "The new task's id (default: a fresh task_… id)."),
            CommonOptions.idempotencyKey,
            CommonOptions.json,
        ],
        run: run
    )

    static func run(_ arguments: ParsedArguments) throws {
        let environment = try CLIEnvironment.current()
        let taskId =
            arguments.value("id")
            ?? RandomIdentifier.make(prefix: "task", idempotencyKey: arguments.value("idempotency-key"))
        let title = arguments.value("title") ?? ""
        let description = arguments.value("description")
        let parent = arguments.value("parent")
        try Validation.identifier(taskId, "task id")
        try Validation.title(title)
        if let description { try Validation.text(description, "a description", limit: Limits.descriptionBytes) }
        if let parent { try Validation.identifier(parent, "parent task id") }
        let operation = CreateTask(
            scope: try environment.scope(), taskId: taskId, title: title, description: description,
            priority: arguments.value("priority", as: TaskPriority.self) ?? .medium, parentId: parent,
            idempotencyKey: try CommonOptions.idempotencyKey(in: arguments))
        let task = try environment.backend().createTask(operation)
        if arguments.flag("json") { return try Output.json(task) }
        print(task.id)
    }
}
