import Hummingbird
import MaestroDomain
import MaestroStore

/// `/api/projects…`: the projects that have data, each with its settings and task counts; a project's settings.
struct ProjectRoutes {
    let server: ServerContext

    struct ProjectList: Encodable {
        var projects: [ProjectOverview]
    }

    func register(on routes: RouteGroups) {
        routes.user.get("/api/projects") { request, _ in
            var overviews: [ProjectOverview] = []
            for projectId in try await server.pool.execute(RegisteredProjects()) {
                overviews.append(try await server.run(GetProjectOverview(scope: try server.scope(projectId))))
            }
            return try Response.json(ProjectList(projects: overviews))
        }
        routes.user.get("/api/projects/:projectId") { request, context in
            let scope = try server.scope(try context.pathID("projectId"))
            return try Response.json(try await server.run(GetProjectOverview(scope: scope)))
        }
        routes.user.put("/api/projects/:projectId") { request, context in
            struct Body: Decodable {
                var name: String?
                var description: String?
                var staleAfterSeconds: Int?
                var archiveAfterDays: Int?
            }
            let body = try await RequestBody.decode(
                Body.self, from: request, fields: ["name", "description", "staleAfterSeconds", "archiveAfterDays"])
            let scope = try server.scope(try context.pathID("projectId"))
            try await server.register(scope)
            let change = try await server.run(
                UpdateProject(
                    scope: scope, name: body.name, description: body.description,
                    staleAfterSeconds: body.staleAfterSeconds, archiveAfterDays: body.archiveAfterDays,
                    idempotencyKey: request.headers[.idempotencyKey]))
            return try Response.json(change)
        }
    }
}
