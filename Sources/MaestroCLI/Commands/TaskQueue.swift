import MaestroDomain
import MaestroStore

/// `maestro task queue <taskId>...`
enum TaskQueue {
    static let spec = CommandSpec(
        name: "queue",
        abstract: "Link tasks to this session with status queued.",
        discussion: """
            All or nothing: an unknown or cancelled task refuses the whole call. A task already linked to this
            session is left as it is. Needs a session context.
            """,
        arguments: [ArgumentSpec(name: "task-id", help: "The tasks to queue.", isRepeating: true)],
        options: [CommonOptions.idempotencyKey, CommonOptions.json],
        run: run
    )

    static func run(_ arguments: ParsedArguments) throws {
        let environment = try CLIEnvironment.current()
        let session = try environment.session()
        let taskIds = arguments.values("task-id")
        for taskId in taskIds { try Validation.identifier(taskId, "task id") }
        let result = try environment.backend().queue(
            taskIds, as: session, idempotencyKey: try CommonOptions.idempotencyKey(in: arguments))
        if arguments.flag("json") { return try Output.json(result.tasks) }
        for task in result.tasks {
            print(task.queued ? "\(task.taskId): queued" : "\(task.taskId): already linked (\(task.status.rawValue))")
        }
    }
}
