import Hummingbird
import MaestroDomain
import MaestroStore

/// `/api/sessions…`: spawn, list, read, stop and restart sessions (spec §6.2, §4.3), and a session queueing itself
/// on several tasks at once (all or none).
struct SessionRoutes {
    let server: ServerContext

    /// What spawning returns: the session, its token (shown only here), and the environment a process needs.
    struct Spawned: Encodable {
        var session: SessionRecord
        var token: String
        var env: [String: String]
    }

    func register(on routes: RouteGroups) {
        routes.user.post("/api/sessions") { request, _ in
            struct Body: Decodable {
                var projectId: String?
                var id: String?
                var name: String?
                var taskIds: [String]?
            }
            let body = try await RequestBody.decode(
                Body.self, from: request, fields: ["projectId", "id", "name", "taskIds"])
            let scope = try server.scope(body.projectId ?? request.uri.queryParameters.get("projectId"))
            let key = request.headers[.idempotencyKey]
            try await server.register(scope)
            let credentials = SessionCredentials(
                sessionId: body.id ?? RandomIdentifier.make(prefix: "sess", idempotencyKey: key),
                token: RandomIdentifier.token())
            let change = try await server.run(
                SpawnSession(
                    scope: scope, credentials: credentials, name: body.name, spawnSource: .ui,
                    taskIds: body.taskIds ?? [], idempotencyKey: key))
            var env = [
                "MAESTRO_SESSION_ID": credentials.sessionId, "MAESTRO_SESSION_TOKEN": credentials.token,
                "MAESTRO_PROJECT_ID": scope.projectId, "MAESTRO_URL": server.publicURL,
            ]
            env["MAESTRO_REDIS_URL"] = server.agentRedisURL
            return try Response.json(
                Spawned(session: change.session, token: credentials.token, env: env), status: .created)
        }
        routes.session.post("/api/sessions/:sessionId/queue") { request, context in
            struct Body: Decodable { var taskIds: [String] }
            let body = try await RequestBody.decode(Body.self, from: request, fields: ["taskIds"])
            let result = try await server.run(
                QueueTasks(
                    scope: try server.scope(of: request),
                    session: try context.session(try context.pathID("sessionId")), taskIds: body.taskIds,
                    idempotencyKey: request.headers[.idempotencyKey]))
            return try Response.json(result)
        }
        routes.user.get("/api/sessions") { request, _ in
            let (offset, limit) = try server.page(of: request)
            let page = try await server.run(
                ListSessions(scope: try server.scope(of: request), offset: offset, limit: limit))
            return try Response.json(page)
        }
        routes.user.get("/api/sessions/:sessionId") { request, context in
            let session = try await server.run(
                GetSession(
                    scope: try server.scope(of: request),
                    sessionId: try context.pathID("sessionId")))
            return try Response.json(session)
        }
        routes.user.post("/api/sessions/:sessionId/stop") { request, context in
            try await change(request, context, to: .stopped)
        }
        routes.user.post("/api/sessions/:sessionId/restart") { request, context in
            try await change(request, context, to: .spawning)
        }
    }

    /// A user's lifecycle change: the function checks who may do what (spec §3) with the state machine, inside
    /// the idempotent call, so a retried stop gets its first reply.
    private func change(
        _ request: Request, _ context: MaestroRequestContext, to target: SessionLifecycle
    ) async throws -> Response {
        let change = try await server.run(
            ChangeLifecycle(
                scope: try server.scope(of: request), sessionId: try context.pathID("sessionId"), target: target,
                byUser: true, idempotencyKey: request.headers[.idempotencyKey]))
        return try Response.json(change.session)
    }
}
