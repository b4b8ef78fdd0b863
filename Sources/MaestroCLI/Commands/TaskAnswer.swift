import MaestroDomain
import MaestroStore

#if canImport(Glibc)
    import Glibc
#endif

/// No answer to this session's question yet: exit code 9.
struct NoAnswer: Error {
    let message: String
}

/// `maestro task answer <taskId> [--wait [--timeout S]]`
enum TaskAnswer {
    static let spec = CommandSpec(
        name: "answer",
        abstract: "Print a user's answer to the question this session asked with needs_input.",
        discussion: """
            After `maestro task update <taskId> --status needs_input --notes "<question>"`, a user answers in the
            dashboard; this prints that answer (the text only). Without --wait it exits 9 when there is no answer
            yet; with --wait it blocks until there is one (or --timeout seconds pass, then exit 9). A new
            needs_input question clears the previous answer. Answering does not change the session's status:
            report working again when you carry on.
            """,
        arguments: [ArgumentSpec(name: "task-id", help: "The task the question was asked on.")],
        options: [
            .flag("wait", help: "Block until the answer arrives."),
            .value("timeout", "seconds", help: "With --wait: give up after this many seconds (default: never)."),
            CommonOptions.json,
        ],
        run: run
    )

    static func run(_ arguments: ParsedArguments) throws {
        let environment = try CLIEnvironment.current()
        let session = try environment.session()
        let taskId = arguments.value("task-id") ?? ""
        try Validation.identifier(taskId, "task id")
        let wait = arguments.flag("wait")
        if arguments.value("timeout") != nil && !wait { throw UsageError("--timeout needs --wait") }
        let timeout = try arguments.value("timeout").map { _ in
            Duration.seconds(try arguments.integer("timeout", default: 0, in: 0...31_536_000))
        }
        let entry = try AnswerWait(backend: try environment.backend(), session: session, taskId: taskId)
            .entry(within: wait ? timeout : .zero)
        guard let answer = entry.answer else {
            guard wait else {
                throw NoAnswer(message: "no answer yet to session \(session.sessionId)'s question on task \(taskId)")
            }
            throw NoAnswer(
                message: "no answer to session \(session.sessionId)'s question on task \(taskId) "
                    + "within \(timeout ?? .zero)")
        }
        if arguments.flag("json") { return try Output.json(entry) }
        print(answer)
    }
}
