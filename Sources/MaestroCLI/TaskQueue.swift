import ArgumentParser
import MaestroStore

/// `maestro task queue <taskId>...`
struct TaskQueue: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "Link tasks to this session with status queued.",
        discussion: "All or nothing: an unknown or cancelled task refuses the whole call. A task already linked "
            + "to this session is left as it is. Needs a session context."
    )

    @Argument(help: "The tasks to queue.")
    var taskIds: [String]

    @OptionGroup var write: WriteOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard !taskIds.isEmpty else { throw ValidationError("name at least one task id") }
    }

    func run() throws {
        let environment = try CLIEnvironment.current()
        let session = try environment.session()
        let operation = QueueTasks(
            scope: try environment.scope(), session: session, taskIds: taskIds, idempotencyKey: try write.key())
        let result = try environment.connection().run(operation)
        if output.json { return try Output.json(result.tasks) }
        for task in result.tasks {
            print(task.queued ? "\(task.taskId): queued" : "\(task.taskId): already linked (\(task.status.rawValue))")
        }
    }
}
