import ArgumentParser
import MaestroDomain
import MaestroStore

/// `maestro task show <taskId>`
struct TaskShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a task with every session's status on it.")

    @Argument(help: "The task.")
    var taskId: String

    @OptionGroup var output: OutputOptions

    func run() throws {
        let environment = try CLIEnvironment.current()
        try Validation.identifier(taskId, "task id")
        let task = try environment.connection().run(GetTask(scope: try environment.scope(), taskId: taskId))
        if output.json { return try Output.json(task) }
        print(Output.detail(task))
    }
}
