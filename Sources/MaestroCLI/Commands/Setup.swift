import MaestroDomain
import MaestroStore

/// `maestro setup [--check]`
enum Setup {
    static let spec = CommandSpec(
        name: "setup",
        abstract: "Load the Maestro function library into Redis (or check which version is loaded).",
        discussion: """
            Run once per Redis deployment, and again after upgrading Maestro. Needs the FUNCTION permission.

            With --agent-user NAME --project P it creates (or replaces, with a new password) a Redis user for agents
            that talk to Redis directly, confined to project P: it can call Maestro's functions and follow P's live
            channel, and is refused every key and channel of any other project. It prints
            MAESTRO_AGENT_REDIS_URL=redis://NAME:PASSWORD@host:port for maestro-server or `maestro run` to hand to
            that project's agents, and saves the user where Redis keeps an aclfile. Needs the ACL permission (the
            maestro-admin user). Remove such a user with `redis-cli ACL DELUSER NAME`.
            """,
        options: [
            .flag("check", help: "Only report the loaded version; exit 7 when it is missing or not this client's."),
            .value("agent-user", "name", help: "Create a Redis user for the agents of --project (see above)."),
            .value("project", "project-id", help: "The one project the --agent-user may touch."),
            .value(
                "password-file", "file",
                help: "The --agent-user's password, the first line of this file (default: a new random one)."),
        ],
        run: run
    )

    static func run(_ arguments: ParsedArguments) throws {
        let environment = try CLIEnvironment.current()
        if let name = arguments.value("agent-user") {
            guard let project = try CommonOptions.project(in: arguments) else {
                throw UsageError("--agent-user needs --project: an agent user is confined to one project")
            }
            return try AgentUserSetup.run(
                name: name, projectId: project, passwordFile: arguments.value("password-file"),
                environment: environment)
        }
        guard arguments.value("project") == nil, arguments.value("password-file") == nil else {
            throw UsageError("--project and --password-file go with --agent-user")
        }
        let connection = try environment.connection()
        guard arguments.flag("check") else {
            try FunctionLibrary.install(on: connection)
            try ProjectRegistry.seedIfMissing(on: connection)
            try TaskLinksUpgrade.run(on: connection)
            print(
                "loaded function library \(FunctionLibrary.name) version \(FunctionLibrary.version) "
                    + "into \(connection.configuration.endpoint)"
            )
            return
        }
        let loaded = try FunctionLibrary.loadedVersion(on: connection)
        guard loaded == FunctionLibrary.version else {
            throw StoreError(
                loaded == nil ? .libraryMissing : .staleLibrary,
                "Redis at \(connection.configuration.endpoint) has function library version \(loaded ?? "none"); "
                    + "this client needs version \(FunctionLibrary.version) (run `maestro setup`)")
        }
        print("function library \(FunctionLibrary.name) version \(FunctionLibrary.version) is loaded")
    }
}
