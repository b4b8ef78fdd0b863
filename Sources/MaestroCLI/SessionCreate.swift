import ArgumentParser
import MaestroDomain
import MaestroStore

/// `maestro session create [--name N] [--task ID ...]`
struct SessionCreate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a session (spawning) and print the environment a process needs to act as it.",
        discussion: """
            Prints KEY=VALUE lines (MAESTRO_SESSION_ID, MAESTRO_SESSION_TOKEN, MAESTRO_PROJECT_ID, \
            MAESTRO_REDIS_URL), ready for `export $(maestro session create)` or an env file. The token is shown \
            only here: Redis keeps just its hash.
            """
    )

    @Option(help: "A name people recognise the session by.")
    var name: String?

    @Option(name: .customLong("task"), help: "Queue the session on this task right away (repeatable).")
    var taskIds: [String] = []

    @Option(help: "The new session's id (default: a fresh sess_… id).")
    var id: String?

    @OptionGroup var write: WriteOptions
    @OptionGroup var output: OutputOptions

    /// What `--json` prints.
    struct Created: Encodable {
        var session: SessionRecord
        var token: String
        var env: [String: String]
    }

    func run() throws {
        let environment = try CLIEnvironment.current()
        let credentials = SessionCredentials(
            sessionId: id ?? RandomIdentifier.make(prefix: "sess"), token: RandomIdentifier.token())
        try Validation.identifier(credentials.sessionId, "session id")
        let operation = SpawnSession(
            scope: try environment.scope(), credentials: credentials, name: name,
            spawnSource: environment.sessionId == nil ? .ui : .session, taskIds: taskIds,
            idempotencyKey: try write.key())
        let change = try environment.connection().run(operation)
        let variables = [
            ("MAESTRO_SESSION_ID", change.session.id),
            ("MAESTRO_SESSION_TOKEN", credentials.token),
            ("MAESTRO_PROJECT_ID", change.session.projectId),
            ("MAESTRO_REDIS_URL", environment.redisURL),
        ]
        if output.json {
            return try Output.json(
                Created(
                    session: change.session, token: credentials.token,
                    env: Dictionary(uniqueKeysWithValues: variables)))
        }
        for (key, value) in variables { print("\(key)=\(value)") }
    }
}
