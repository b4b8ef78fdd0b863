import MaestroDomain
import MaestroStore

/// `maestro task list [--status S ...] [--stale]`
enum TaskList {
    static let spec = CommandSpec(
        name: "list",
        abstract: "List the project's tasks in creation order.",
        discussion: """
            With --stale, the tasks on which a session stopped reporting instead: a progress entry in queued or
            working with no report for the project's staleAfterSeconds (default 30 minutes), the longest stale
            first. The session's next report clears it.
            """,
        options: [
            .flag("stale", help: "Only tasks with stale work, the longest stale first (with --limit only)."),
            .value(
                "status", "status", help: "Only tasks with this status (repeatable).",
                allowed: CommonOptions.names(TaskStatus.self), repeatable: true),
            .value("offset", "n", help: "Skip this many tasks (default 0)."),
            .value("limit", "n", help: "Show at most this many tasks, 1-1000 (default 100)."),
            CommonOptions.json,
        ],
        run: run
    )

    static func run(_ arguments: ParsedArguments) throws {
        let statuses = arguments.values("status").compactMap(TaskStatus.init(rawValue:))
        guard Set(statuses).count == statuses.count else { throw UsageError("--status is repeated") }
        let offset = try arguments.integer("offset", default: 0, in: 0...Int(Int32.max))
        let limit = try arguments.integer("limit", default: 100, in: 1...1000)
        let stale = arguments.flag("stale")
        if stale && (!statuses.isEmpty || arguments.value("offset") != nil) {
            throw UsageError("--stale lists every task with stale work, most stale first: use it with --limit only")
        }
        let backend = try CLIEnvironment.current().backend()
        let page =
            try stale
            ? backend.staleTasks(limit: limit) : backend.tasks(statuses: statuses, offset: offset, limit: limit)
        if arguments.flag("json") { return try Output.json(page.tasks) }
        print(Output.table(page.tasks))
        if page.total > offset + page.tasks.count {
            print("(\(page.tasks.count) of \(page.total); --offset \(offset + page.tasks.count) for more)")
        }
    }
}
