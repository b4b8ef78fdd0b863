import ArgumentParser

/// `maestro task …`
struct TaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task",
        abstract: "Queue tasks, report this session's status on them, and read them.",
        subcommands: [TaskQueue.self, TaskUpdate.self, TaskShow.self, TaskList.self, TaskCreate.self]
    )
}
