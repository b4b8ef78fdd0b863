import ArgumentParser

#if canImport(Glibc)
import Glibc
#endif

/// The `maestro` command: what agent sessions run to report their status on tasks.
@main
struct Maestro: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "maestro",
        abstract: "Report and read the status of AI agent sessions on Maestro tasks.",
        discussion: """
            Agent sessions run these commands inside their containers. The session context comes from the \
            environment: MAESTRO_SESSION_ID, MAESTRO_SESSION_TOKEN, MAESTRO_PROJECT_ID (default: default) and \
            MAESTRO_REDIS_URL (default: redis://127.0.0.1:6379). A task's own status is set by people in the \
            dashboard, never from here.

            Exit codes:
            \(ExitStatus.summary)
            """,
        subcommands: [TaskCommand.self, SessionCommand.self, Setup.self]
    )

    /// Checks that every argument is valid UTF-8 (Swift would silently repair it), then runs the command
    /// and maps any error, once, to a message and an exit code.
    static func main() {
        if let bad = ArgumentBytes.firstInvalidUTF8Argument() {
            ExitStatus.fail("argument \(bad) is not valid UTF-8", code: .usage)
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            ExitStatus.report(error)
        }
    }
}
