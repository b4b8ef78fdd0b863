import Foundation
import MaestroDomain
import MaestroStore
import ProcessTestSupport
import RedisClient
import RedisTestSupport

/// A private redis-server with the function library, a temporary old-data directory, and the CLI.
final class MigrationFixture {
    let server: RedisTestServer
    let connection: RedisConnection
    let directory: URL
    let environment: [String: String]

    init() async throws {
        server = try await RedisTestServer.start()
        connection = server.connect()
        try FunctionLibrary.install(on: connection)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("maestro-old-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        environment = ["MAESTRO_REDIS_URL": server.url, "PATH": "/usr/bin:/bin"]
    }

    deinit {
        server.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Writes an old file, `path` relative to the data directory.
    func write(_ path: String, _ text: String) throws {
        try write(path, Data(text.utf8))
    }

    func write(_ path: String, _ data: Data) throws {
        let url = directory.appendingPathComponent(path)
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    /// Runs the CLI with this fixture's Redis.
    func cli(_ arguments: String..., environment extra: [String: String] = [:]) throws -> CLIProcess.Result {
        try CLIProcess(environment: environment.merging(extra) { $1 }).run(bytes: arguments.map { Array($0.utf8) })
    }

    func migrate(_ extra: String...) throws -> CLIProcess.Result {
        try CLIProcess(environment: environment).run(
            bytes: (["migrate", "--from", directory.path] + extra).map { Array($0.utf8) })
    }

    func scope(_ projectId: String) throws -> ProjectScope { try ProjectScope(projectId: projectId) }

    func task(_ projectId: String, _ id: String) throws -> TaskRecord {
        try connection.run(GetTask(scope: scope(projectId), taskId: id))
    }

    func session(_ projectId: String, _ id: String) throws -> SessionRecord {
        try connection.run(GetSession(scope: scope(projectId), sessionId: id))
    }

    /// Every key and its contents, to show that a run wrote nothing.
    func dump() throws -> [String: String] {
        var result: [String: String] = [:]
        let keys = try connection.keysEverywhere("*")
        for key in keys {
            let dumped = try connection.send(RedisCommand("DUMP", key))
            result[key] = "\(dumped)"
        }
        return result
    }

    func streamLength(_ projectId: String) throws -> Int64 {
        try connection.send(RedisCommand("XLEN", "mae:{\(projectId)}:events")).integer ?? 0
    }
}
