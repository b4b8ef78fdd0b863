#if canImport(Glibc)
    import Glibc
#endif

/// The `maestro` command: what agent sessions run to report their status on tasks.
@main
enum Maestro {
    /// The whole command tree.
    static let root = CommandSpec(
        name: "maestro",
        abstract: "Report and read the status of AI agent sessions on Maestro tasks.",
        discussion: """
            Agent sessions run these commands inside their containers. The session context comes from the
            environment: MAESTRO_SESSION_ID, MAESTRO_SESSION_TOKEN, MAESTRO_PROJECT_ID (default: default), and either
            MAESTRO_URL (maestro-server's HTTP API, http:// or https://; MAESTRO_CA_FILE adds trusted CAs) or
            MAESTRO_REDIS_URL (Redis directly; default: redis://127.0.0.1:6379). A task's own status is set by people
            in the dashboard, never from here.

            Exit codes:
            \(ExitStatus.summary)
            """,
        subcommands: [
            CommandSpec(
                name: "task",
                abstract: "Queue tasks, report this session's status on them, and read them.",
                subcommands: [
                    TaskQueue.spec, TaskUpdate.spec, TaskAnswer.spec, TaskShow.spec, TaskList.spec, TaskCreate.spec,
                ]),
            CommandSpec(
                name: "session",
                abstract: "Create sessions for scripts and tests.",
                subcommands: [SessionCreate.spec]),
            Run.spec,
            MCPCommand.spec,
            Setup.spec,
            Migrate.spec,
            Export.spec,
            Import.spec,
        ]
    )

    /// Checks that every argument is valid UTF-8 (Swift would silently repair it), then runs the command
    /// and maps any error, once, to a message and an exit code.
    static func main() {
        if let bad = ArgumentBytes.firstInvalidUTF8Argument() {
            ExitStatus.fail("argument \(bad) is not valid UTF-8", code: .usage)
        }
        var path = [root]
        do {
            switch try CommandLineParser.parse(Array(CommandLine.arguments.dropFirst()), root: root) {
            case .help(let helpPath):
                print(HelpText.page(for: helpPath))
            case .run(let commandPath, let arguments):
                path = commandPath
                try commandPath.last?.run?(arguments)
            }
        } catch var error as UsageError {
            if error.commandPath.isEmpty { error.commandPath = path }
            ExitStatus.report(error)
        } catch {
            ExitStatus.report(error)
        }
    }
}
