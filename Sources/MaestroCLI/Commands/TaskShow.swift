import MaestroDomain
import MaestroStore

/// `maestro task show <taskId>`
enum TaskShow {
    static let spec = CommandSpec(
        name: "show",
        abstract: "Show a task with every session's status on it.",
        arguments: [ArgumentSpec(name: "task-id", help: "The task.")],
        options: [CommonOptions.json],
        run: run
    )

    static func run(_ arguments: ParsedArguments) throws {
        let environment = try CLIEnvironment.current()
        let taskId = arguments.value("task-id") ?? ""
        try Validation.identifier(taskId, "task id")
        let task = try environment.backend().task(taskId)
        if arguments.flag("json") { return try Output.json(task) }
        print(Output.detail(task))
    }
}
