import Foundation
import MaestroDomain
import MaestroStore
import RedisClient
import RedisTestSupport

/// A private redis-server with the function library loaded, and helpers to set up tasks and sessions.
/// Each helper call works in the project given, so one server can hold many independent cases.
final class StoreFixture {
    let server: RedisTestServer
    let connection: RedisConnection

    init() async throws {
        server = try await RedisTestServer.start()
        connection = server.connect()
        try FunctionLibrary.install(on: connection)
    }

    deinit { server.stop() }

    /// A fresh project, so cases sharing the server never see each other's keys.
    func newScope() throws -> ProjectScope {
        try ProjectScope(projectId: RandomIdentifier.make(prefix: "p"), streamMaxLength: 0)
    }

    @discardableResult
    func createTask(_ scope: ProjectScope, id: String = RandomIdentifier.make(prefix: "task")) throws -> TaskRecord {
        try connection.run(CreateTask(scope: scope, taskId: id, title: "Task \(id)")).task
    }

    func spawnSession(_ scope: ProjectScope, taskIds: [String] = []) throws -> SessionCredentials {
        let credentials = SessionCredentials(
            sessionId: RandomIdentifier.make(prefix: "sess"), token: RandomIdentifier.token())
        _ = try connection.run(
            SpawnSession(scope: scope, credentials: credentials, spawnSource: .ui, taskIds: taskIds))
        return credentials
    }

    func task(_ scope: ProjectScope, _ id: String) throws -> TaskRecord {
        try connection.run(GetTask(scope: scope, taskId: id))
    }

    func session(_ scope: ProjectScope, _ id: String) throws -> SessionRecord {
        try connection.run(GetSession(scope: scope, sessionId: id))
    }

    func events(_ scope: ProjectScope) throws -> [MaestroEvent] {
        try connection.events(in: scope, after: "0-0", count: 1_000_000)
    }

    /// Runs `body`, which must be refused with `code`; returns the refusal.
    func refusal(_ code: MaestroError.Code, _ body: () throws -> Void) -> MaestroError? {
        do {
            try body()
        } catch let error as MaestroError {
            return error.code == code ? error : nil
        } catch {
            return nil
        }
        return nil
    }
}

/// A payload's fields, for checks.
func payload(_ event: MaestroEvent) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(event.payload.utf8))) as? [String: Any] ?? [:]
}
