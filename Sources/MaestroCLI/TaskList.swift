import ArgumentParser
import MaestroDomain
import MaestroStore

/// `maestro task list [--status S ...]`
struct TaskList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the project's tasks in creation order.")

    @Option(name: .customLong("status"), help: "Only tasks with this status (repeatable).")
    var statuses: [TaskStatus] = []

    @Option(help: "Skip this many tasks.")
    var offset = 0

    @Option(help: "Show at most this many tasks (1-1000).")
    var limit = 100

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard offset >= 0 else { throw ValidationError("--offset must be >= 0") }
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be 1-1000") }
        guard Set(statuses).count == statuses.count else { throw ValidationError("--status is repeated") }
    }

    func run() throws {
        let environment = try CLIEnvironment.current()
        let operation = ListTasks(scope: try environment.scope(), statuses: statuses, offset: offset, limit: limit)
        let page = try environment.connection().run(operation)
        if output.json { return try Output.json(page.tasks) }
        print(Output.table(page.tasks))
        if page.total > offset + page.tasks.count {
            print("(\(page.tasks.count) of \(page.total); --offset \(offset + page.tasks.count) for more)")
        }
    }
}
