import MaestroDomain
import MaestroStore
import MaestroSupervisor
import RedisClient

#if canImport(Glibc)
    import Glibc
#endif

/// `maestro run [--task ID ...] [--name N] [--project P] [--session ID] -- <command> [args]`
enum Run {
    static let spec = CommandSpec(
        name: "run",
        abstract: "Run an agent command as a supervised session: the entrypoint of an agent container.",
        discussion: """
            Spawns a session (or, with --session, takes over one spawned from the dashboard, whose token is read from
            MAESTRO_SESSION_TOKEN), queues it on the given tasks, and starts the command with the session context in its
            environment: MAESTRO_SESSION_ID, MAESTRO_SESSION_TOKEN, MAESTRO_PROJECT_ID, MAESTRO_URL when set (the agent
            talks to the HTTP API), and MAESTRO_AGENT_REDIS_URL as MAESTRO_REDIS_URL when set (a Redis user for agents);
            one of the two is required. MAESTRO_TASK_IDS lists the session's tasks, separated by spaces, and
            MAESTRO_TASK_ID is the first task given with --task, else the session's first (for hooks that report on the
            session's task); neither is set for a session without tasks. Neither this process's own MAESTRO_REDIS_URL
            nor MAESTRO_USER_TOKEN is passed on. The session becomes active once the command runs, stopped when it exits
            with 0, failed with the exit code or signal otherwise, failed with the reason when it cannot start. SIGINT
            and SIGTERM are passed on to the command.

            While it runs, the supervisor renews the session's lease in Redis every TTL/3 seconds; when the lease
            runs out (host gone, supervisor killed) maestro-server marks the session failed ("heartbeat lost")
            within 2 x TTL, and a supervisor that comes back after that is refused and stops its command. A user's
            stop from the dashboard sends the command SIGTERM, then SIGKILL after the grace period; the supervisor
            then waits, and a restart starts the command again. The supervisor needs Redis (MAESTRO_REDIS_URL).

            Exits with the command's exit code (128 + the signal when a signal ended it), 127 when the command
            cannot start, 3 when the session was taken away from this supervisor, or 0 when it is stopped by a
            signal while a user had stopped the session; setup errors use the codes of every maestro command.
            """,
        arguments: [
            ArgumentSpec(name: "command", help: "The agent command and its arguments, after --.", isRepeating: true)
        ],
        options: [
            .value("task", "task-id", help: "Queue the session on this task (repeatable).", repeatable: true),
            .value("name", "name", help: "A name people recognise the session by."),
            .value("project", "project-id", help: "The project (default: MAESTRO_PROJECT_ID, else default)."),
            .value(
                "session", "session-id",
                help: "Take over this spawning session (spawned from the dashboard, or restarted) instead of "
                    + "spawning one; its token comes from MAESTRO_SESSION_TOKEN."),
            .value(
                "heartbeat-ttl", "seconds",
                help: "How long the lease lasts without a heartbeat (default: MAESTRO_HEARTBEAT_TTL, else 15)."),
            .value(
                "stop-grace", "seconds",
                help: "Time between SIGTERM and SIGKILL when a user stops the session (default 10)."),
        ],
        run: run
    )

    static func run(_ arguments: ParsedArguments) throws {
        var environment = try CLIEnvironment.current()
        if let project = arguments.value("project") { environment.projectId = project }
        guard environment.redisURLGiven || environment.maestroURL == nil else {
            throw MaestroError(
                .invalidInput,
                "maestro run supervises through Redis: set MAESTRO_REDIS_URL (MAESTRO_URL is passed on to the agent)")
        }
        guard !environment.sessionReachability.isEmpty else {
            throw MaestroError(
                .invalidInput,
                "maestro run must tell the agent how to report: set MAESTRO_URL (the server's HTTP API) or "
                    + "MAESTRO_AGENT_REDIS_URL (a Redis URL for agents, such as a user made by `maestro setup "
                    + "--agent-user`); it never passes on its own Redis credentials")
        }
        let scope = try environment.scope()
        let leaseSeconds = try leaseSeconds(arguments)
        let stopGrace = try arguments.integer("stop-grace", default: 10, in: 0...3600)
        let host = hostName()
        let connection = try environment.connection()

        let credentials = try sessionToSupervise(arguments, environment, scope, host, connection)
        let identity = SupervisorIdentity(session: credentials, supervisorId: RandomIdentifier.make(prefix: "sup"))
        try connection.execute(AddSupervisedProject(scope: scope))
        _ = try connection.run(ClaimSession(scope: scope, supervisor: identity, leaseSeconds: leaseSeconds, host: host))
        let tasks = arguments.values("task")
        if arguments.value("session") != nil && !tasks.isEmpty {
            _ = try connection.run(
                QueueTasks(
                    scope: scope, session: credentials, taskIds: tasks,
                    idempotencyKey: RandomIdentifier.make(prefix: "run")))
        }

        let linked = try connection.run(GetSession(scope: scope, sessionId: credentials.sessionId)).taskIds

        let wakeup = WakeupPipe()
        wakeup.route(signals: [SIGINT, SIGTERM, SIGCHLD])
        ControlListener.start(
            configuration: connection.configuration,
            subscription: Subscription.control(scope, sessionId: credentials.sessionId),
            wakeup: wakeup)
        let supervisor = Supervisor(
            connection: connection, scope: scope, identity: identity,
            settings: Supervisor.Settings(
                command: arguments.values("command"), leaseSeconds: leaseSeconds, stopGrace: .seconds(stopGrace),
                environment: agentEnvironment(
                    environment, credentials, task: tasks.first ?? linked.first, tasks: linked),
                exitStatusWhenRefused: ExitStatus.refused.rawValue,
                say: { printError("maestro run: \($0)") }),
            wakeup: wakeup)
        exit(supervisor.run())
    }

    /// The session given with --session (its token from the environment), or a freshly spawned one.
    private static func sessionToSupervise(
        _ arguments: ParsedArguments, _ environment: CLIEnvironment, _ scope: ProjectScope, _ host: String?,
        _ connection: RedisConnection
    ) throws -> SessionCredentials {
        if let sessionId = arguments.value("session") {
            try Validation.identifier(sessionId, "session id")
            guard let token = environment.sessionToken else {
                throw MaestroError(
                    .forbidden,
                    "--session needs the session's token in MAESTRO_SESSION_TOKEN (issued when it was spawned)")
            }
            return SessionCredentials(sessionId: sessionId, token: token)
        }
        let credentials = SessionCredentials(
            sessionId: RandomIdentifier.make(prefix: "sess"), token: RandomIdentifier.token())
        try connection.execute(RegisterProject(scope: scope))
        _ = try connection.run(
            SpawnSession(
                scope: scope, credentials: credentials, name: arguments.value("name"),
                spawnSource: environment.sessionId == nil ? .ui : .session, host: host,
                taskIds: arguments.values("task"), idempotencyKey: RandomIdentifier.make(prefix: "run")))
        return credentials
    }

    private static func leaseSeconds(_ arguments: ParsedArguments) throws -> Int {
        if arguments.value("heartbeat-ttl") != nil {
            return try arguments.integer("heartbeat-ttl", default: 15, in: 1...3600)
        }
        guard let raw = getenv("MAESTRO_HEARTBEAT_TTL") else { return 15 }
        let text = String(cString: raw)
        guard let seconds = Int(text), (1...3600).contains(seconds) else {
            throw MaestroError(.invalidInput, "MAESTRO_HEARTBEAT_TTL must be 1-3600 seconds (got '\(text)')")
        }
        return seconds
    }

    /// This process's environment with the session context (and its tasks, when it has any: `task` the one to report
    /// on) in it and the user token out of it.
    private static func agentEnvironment(
        _ environment: CLIEnvironment, _ session: SessionCredentials, task: String?, tasks: [String]
    ) -> [String: String] {
        var variables: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") {
                variables[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            entry += 1
        }
        for name in ["MAESTRO_USER_TOKEN", "MAESTRO_REDIS_URL", "MAESTRO_AGENT_REDIS_URL"] { variables[name] = nil }
        variables["MAESTRO_SESSION_ID"] = session.sessionId
        variables["MAESTRO_SESSION_TOKEN"] = session.token
        variables["MAESTRO_PROJECT_ID"] = environment.projectId
        if let task {
            variables["MAESTRO_TASK_ID"] = task
            variables["MAESTRO_TASK_IDS"] = tasks.joined(separator: " ")
        }
        for (name, value) in environment.sessionReachability { variables[name] = value }
        return variables
    }

    private static func hostName() -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return nil }
        let name = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return name.isEmpty ? nil : name
    }
}
