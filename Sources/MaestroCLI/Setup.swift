import MaestroStore

/// `maestro setup [--check]`
enum Setup {
    static let spec = CommandSpec(
        name: "setup",
        abstract: "Load the Maestro function library into Redis (or check which version is loaded).",
        discussion: "Run once per Redis deployment, and again after upgrading Maestro. Needs the FUNCTION permission.",
        options: [
            .flag("check", help: "Only report the loaded version; exit 7 when it is missing or not this client's.")
        ],
        run: run
    )

    static func run(_ arguments: ParsedArguments) throws {
        let environment = try CLIEnvironment.current()
        let connection = try environment.connection()
        guard arguments.flag("check") else {
            try FunctionLibrary.install(on: connection)
            print(
                "loaded function library \(FunctionLibrary.name) version \(FunctionLibrary.version) "
                    + "into \(environment.redisURL)"
            )
            return
        }
        let loaded = try FunctionLibrary.loadedVersion(on: connection)
        guard loaded == FunctionLibrary.version else {
            throw StoreError(
                loaded == nil ? .libraryMissing : .staleLibrary,
                "Redis at \(environment.redisURL) has function library version \(loaded ?? "none"); "
                    + "this client needs version \(FunctionLibrary.version) (run `maestro setup`)")
        }
        print("function library \(FunctionLibrary.name) version \(FunctionLibrary.version) is loaded")
    }
}
