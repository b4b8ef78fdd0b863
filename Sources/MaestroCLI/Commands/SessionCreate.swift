import MaestroDomain
import MaestroStore

/// `maestro session create [--name N] [--task ID ...]`
enum SessionCreate {
    static let spec = CommandSpec(
        name: "create",
        abstract: "Create a session (spawning) and print the environment a process needs to act as it.",
        discussion: """
            Prints KEY=VALUE lines (MAESTRO_SESSION_ID, MAESTRO_SESSION_TOKEN, MAESTRO_PROJECT_ID, and
            MAESTRO_URL and MAESTRO_AGENT_REDIS_URL as MAESTRO_REDIS_URL when they are set), ready for an env file
            or `export $(maestro session create)`. This process's own Redis URL, which may carry a password, is never
            printed. The token is shown only here: Redis keeps just its hash.
            """,
        options: [
            .value("name", "name", help: "A name people recognise the session by."),
            .value(
                "task", "task-id", help: "Queue the session on this task right away (repeatable).", repeatable: true),
            .value("id", "session-id", help: "The new session's id (default: a fresh sess_… id)."),
            CommonOptions.idempotencyKey,
            CommonOptions.json,
        ],
        run: run
    )

    /// What `--json` prints.
    struct Created: Encodable {
        var session: SessionRecord
        var token: String
        var env: [String: String]
    }

    static func run(_ arguments: ParsedArguments) throws {
        let environment = try CLIEnvironment.current()
        let credentials = SessionCredentials(
            sessionId: arguments.value("id")
                ?? RandomIdentifier.make(prefix: "sess", idempotencyKey: arguments.value("idempotency-key")),
            token: RandomIdentifier.token())
        try Validation.identifier(credentials.sessionId, "session id")
        let operation = SpawnSession(
            scope: try environment.scope(), credentials: credentials, name: arguments.value("name"),
            spawnSource: environment.sessionId == nil ? .ui : .session, taskIds: arguments.values("task"),
            idempotencyKey: try CommonOptions.idempotencyKey(in: arguments))
        let (session, token) = try environment.backend().spawnSession(operation)
        var variables = [
            ("MAESTRO_SESSION_ID", session.id),
            ("MAESTRO_SESSION_TOKEN", token),
            ("MAESTRO_PROJECT_ID", session.projectId),
        ]
        variables += environment.sessionReachability
        if arguments.flag("json") {
            return try Output.json(
                Created(session: session, token: token, env: Dictionary(uniqueKeysWithValues: variables)))
        }
        for (key, value) in variables { print("\(key)=\(value)") }
    }
}
