import MaestroHTTPClient
import MaestroDomain
import MaestroStore
import RedisClient

#if canImport(Glibc)
    import Glibc
#endif

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Calls maestro-server's HTTP API, authenticating as the session (or with MAESTRO_USER_TOKEN where only a user
/// may act), and turns its error bodies back into the same refusals the Redis functions give.
struct HTTPBackend: MaestroBackend {
    let connection: HTTPConnection
    let scope: ProjectScope
    /// The session this process acts as, if any: reads and creates are made as it.
    let session: SessionCredentials?
    let userToken: String?

    private var project: String { "projectId=\(scope.projectId)" }

    /// All the tasks in one call, all or none, as over Redis.
    func queue(_ taskIds: [String], as session: SessionCredentials, idempotencyKey: String) throws -> QueueResult {
        try call(
            "POST", "/api/sessions/\(session.sessionId)/queue?\(project)", body: [:], as: .session(session),
            idempotencyKey: idempotencyKey, taskIds: taskIds)
    }

    func update(
        _ taskId: String, to status: SessionStatus, notes: String?, as session: SessionCredentials,
        idempotencyKey: String
    ) throws -> ProgressChange {
        var body = ["status": status.rawValue]
        body["notes"] = notes
        return try call(
            "PUT", "/api/tasks/\(taskId)/sessions/\(session.sessionId)/status?\(project)", body: body,
            as: .session(session), idempotencyKey: idempotencyKey)
    }

    func task(_ taskId: String) throws -> TaskRecord {
        try call("GET", "/api/tasks/\(taskId)?\(project)", body: nil, as: try reader(), idempotencyKey: nil)
    }

    func tasks(statuses: [TaskStatus], offset: Int, limit: Int) throws -> TaskPage {
        var query = "\(project)&offset=\(offset)&limit=\(limit)"
        if !statuses.isEmpty { query += "&status=" + statuses.map(\.rawValue).joined(separator: ",") }
        return try call("GET", "/api/tasks?\(query)", body: nil, as: try reader(), idempotencyKey: nil)
    }

    func staleTasks(limit: Int) throws -> TaskPage {
        try call(
            "GET", "/api/tasks?\(project)&stale=true&limit=\(limit)", body: nil, as: try reader(), idempotencyKey: nil)
    }

    func createTask(_ task: CreateTask) throws -> TaskRecord {
        var body = [
            "projectId": scope.projectId, "id": task.taskId, "title": task.title, "priority": task.priority.rawValue,
        ]
        body["description"] = task.description
        body["parentId"] = task.parentId
        return try call("POST", "/api/tasks", body: body, as: try reader(), idempotencyKey: task.idempotencyKey)
    }

    func spawnSession(_ spawn: SpawnSession) throws -> (session: SessionRecord, token: String) {
        struct Spawned: Decodable {
            var session: SessionRecord
            var token: String
        }
        guard let userToken else {
            throw MaestroError(.forbidden, "creating a session over HTTP needs the user token (MAESTRO_USER_TOKEN)")
        }
        var body: [String: String] = ["projectId": scope.projectId, "id": spawn.credentials.sessionId]
        body["name"] = spawn.name
        let spawned: Spawned = try call(
            "POST", "/api/sessions", body: body, as: .user(userToken), idempotencyKey: spawn.idempotencyKey,
            taskIds: spawn.taskIds)
        return (spawned.session, spawned.token)
    }

    /// The HTTP API has no push channel for the CLI: checks again every second.
    func watchChanges() throws -> (Duration) throws -> Void {
        { timeout in usleep(UInt32(min(timeout, .seconds(1)) / .microseconds(1))) }
    }

    // MARK: - The exchange

    private enum Credentials {
        case user(String)
        case session(SessionCredentials)
    }

    /// Reads go out as the session when there is one, else with the user token.
    private func reader() throws -> Credentials {
        if let session { return .session(session) }
        if let userToken { return .user(userToken) }
        throw MaestroError(.forbidden, "set MAESTRO_SESSION_ID and MAESTRO_SESSION_TOKEN, or MAESTRO_USER_TOKEN")
    }

    private func call<Value: Decodable>(
        _ method: String, _ path: String, body: [String: String]?, as credentials: Credentials,
        idempotencyKey: String?, taskIds: [String]? = nil
    ) throws -> Value {
        var headers: [(String, String)] = []
        switch credentials {
        case .user(let token): headers.append(("Authorization", "Bearer \(token)"))
        case .session(let session):
            headers.append(("Authorization", "Bearer \(session.token)"))
            headers.append(("X-Maestro-Session-Id", session.sessionId))
        }
        if let idempotencyKey { headers.append(("Idempotency-Key", idempotencyKey)) }
        var payload: [UInt8]?
        if let body {
            var object: [String: JSONField] = body.mapValues { .string($0) }
            if let taskIds { object["taskIds"] = .strings(taskIds) }
            payload = Array(try JSONEncoder().encode(object))
        }
        // A read, or a write with an idempotency key, may be resent after the connection failed or a proxy found
        // no server behind it; an untrusted certificate is final.
        var attempt = 1
        while true {
            do {
                let response = try connection.send(method, path, headers: headers, body: payload)
                return try decode(response)
            } catch let failure as TransportFailure where failure.kind == .unreachable {
                guard attempt < 3, method == "GET" || idempotencyKey != nil else { throw failure }
                attempt += 1
                usleep(UInt32(100_000 * attempt))
            }
        }
    }

    /// The statuses a proxy answers when maestro-server behind it is down or slow.
    private static let gatewayStatuses: Set<Int> = [502, 503, 504]

    private func decode<Value: Decodable>(_ response: HTTPConnection.Response) throws -> Value {
        if (200..<300).contains(response.status) {
            do {
                return try JSONDecoder().decode(Value.self, from: Data(response.body))
            } catch {
                throw StoreError(.unexpectedReply, "cannot read the server's answer: \(error)")
            }
        }
        guard let detail = try? JSONDecoder().decode(ErrorBody.self, from: Data(response.body)).error else {
            if Self.gatewayStatuses.contains(response.status) {
                throw TransportFailure(
                    .unreachable,
                    "\(connection.url.origin) answered \(response.status): a proxy in front of maestro-server "
                        + "could not reach it")
            }
            throw StoreError(.unexpectedReply, "the server answered \(response.status) without an error body")
        }
        switch detail.code {
        case "UNAUTHORIZED": throw MaestroError(.forbidden, detail.message)
        case "STORE_UNAVAILABLE": throw StoreError(.libraryMissing, detail.message)
        case "REDIS_UNAVAILABLE": throw RedisError(.connectionFailed, detail.message)
        case "INTERNAL": throw StoreError(.unexpectedReply, detail.message)
        default:
            throw MaestroError(
                MaestroError.Code(detail.code), detail.message, current: detail.current, allowed: detail.allowed)
        }
    }
}

/// The API's error body.
private struct ErrorBody: Decodable {
    struct Detail: Decodable {
        var code: String
        var message: String
        var current: String?
        var allowed: [String]?
    }
    var error: Detail
}

/// A JSON value of a request body: a string or a list of strings.
private enum JSONField: Encodable {
    case string(String)
    case strings([String])

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .strings(let values): try container.encode(values)
        }
    }
}
