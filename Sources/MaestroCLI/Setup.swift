import ArgumentParser
import MaestroStore

/// `maestro setup [--check]`
struct Setup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load the Maestro function library into Redis (or check which version is loaded).",
        discussion: "Run once per Redis deployment, and again after upgrading Maestro. Needs the FUNCTION permission."
    )

    @Flag(help: "Only report the loaded version; exit 7 when it is missing or not this client's.")
    var check = false

    func run() throws {
        let environment = try CLIEnvironment.current()
        let connection = try environment.connection()
        if check {
            let loaded = try FunctionLibrary.loadedVersion(on: connection)
            guard loaded == FunctionLibrary.version else {
                throw StoreError(
                    loaded == nil ? .libraryMissing : .staleLibrary,
                    "Redis at \(environment.redisURL) has function library version \(loaded ?? "none"); "
                        + "this client needs version \(FunctionLibrary.version) (run `maestro setup`)")
            }
            print("function library \(FunctionLibrary.name) version \(FunctionLibrary.version) is loaded")
            return
        }
        try FunctionLibrary.install(on: connection)
        print("loaded function library \(FunctionLibrary.name) version \(FunctionLibrary.version) into \(environment.redisURL)")
    }
}
