import Hummingbird
import MaestroDomain
import MaestroStore

/// `/api/tasks…`: the original paths of spec §6.2, plus create, list, delete and unlinking a session.
struct TaskRoutes {
    let server: ServerContext

    func register(on routes: RouteGroups) {
        routes.userOrSession.get("/api/tasks") { request, _ in
            let scope = try server.scope(of: request)
            let statuses = try request.uri.queryParameters.getAll("status").flatMap { $0.split(separator: ",") }.map {
                name in
                guard let status = TaskStatus(rawValue: String(name)) else {
                    throw APIError.badRequest("unknown status '\(name)'; use todo, inprogress, completed, cancelled")
                }
                return status
            }
            let (offset, limit) = try server.page(of: request)
            let archived = try request.flag("archived") ?? false
            if try request.flag("stale") == true {
                guard statuses.isEmpty, !archived, offset == 0, request.uri.queryParameters.get("view") == nil else {
                    throw APIError.badRequest(
                        "stale=true lists the tasks with stale work, most stale first: only limit")
                }
                return try Response.json(try await server.run(ListStaleTasks(scope: scope, limit: limit)))
            }
            switch request.uri.queryParameters.get("view") ?? "full" {
            case "full" where archived:
                throw APIError.badRequest("archived tasks are listed as summaries: add view=summary")
            case "full":
                let page = try await server.run(
                    ListTasks(scope: scope, statuses: statuses, offset: offset, limit: limit))
                return try Response.json(page)
            case "summary":
                if archived && !statuses.isEmpty {
                    throw APIError.badRequest("archived=true lists the archive: leave status out")
                }
                let json = try await server.run(
                    ListTaskSummaries(
                        scope: scope, statuses: statuses, archived: archived, offset: offset, limit: limit))
                return Response(
                    status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(bytes: json)))
            case let view:
                throw APIError.badRequest("unknown view '\(view)'; use full or summary")
            }
        }
        // Its project may be named in the body, so it checks its caller itself once the body is read.
        routes.open.post("/api/tasks") { request, context in
            struct Body: Decodable {
                var projectId: String?
                var id: String?
                var title: String
                var description: String?
                var priority: TaskPriority?
                var parentId: String?
            }
            let body = try await RequestBody.decode(
                Body.self, from: request, fields: ["projectId", "id", "title", "description", "priority", "parentId"])
            let scope = try server.scope(body.projectId ?? request.uri.queryParameters.get("projectId"))
            _ = try await server.caller(of: request, in: scope)
            let key = request.headers[.idempotencyKey]
            try await server.register(scope)
            let change = try await server.run(
                CreateTask(
                    scope: scope,
                    taskId: body.id ?? RandomIdentifier.make(prefix: "task", idempotencyKey: key), title: body.title,
                    description: body.description, priority: body.priority ?? .medium, parentId: body.parentId,
                    idempotencyKey: key))
            return try Response.json(change.task, status: .created)
        }
        routes.userOrSession.get("/api/tasks/:taskId") { request, context in
            let scope = try server.scope(of: request)
            let task = try await server.run(GetTask(scope: scope, taskId: try context.pathID("taskId")))
            return try Response.json(task)
        }
        routes.user.put("/api/tasks/:taskId") { request, context in
            struct Body: Decodable {
                var status: TaskStatus?
                var title: String?
                var description: String?
                var priority: TaskPriority?
            }
            let body = try await RequestBody.decode(
                Body.self, from: request, fields: ["status", "title", "description", "priority"])
            let change = try await server.run(
                UpdateTask(
                    scope: try server.scope(of: request),
                    taskId: try context.pathID("taskId"), title: body.title,
                    description: body.description, priority: body.priority, status: body.status,
                    idempotencyKey: request.headers[.idempotencyKey]))
            return try Response.json(change.task)
        }
        routes.user.delete("/api/tasks/:taskId") { request, context in
            let deletion = try await server.run(
                DeleteTask(
                    scope: try server.scope(of: request),
                    taskId: try context.pathID("taskId"),
                    idempotencyKey: request.headers[.idempotencyKey]))
            return try Response.json(deletion)
        }
        routes.user.post("/api/tasks/:taskId/restore") { request, context in
            let change = try await server.run(
                RestoreTask(
                    scope: try server.scope(of: request), taskId: try context.pathID("taskId"),
                    idempotencyKey: request.headers[.idempotencyKey]))
            return try Response.json(change.task)
        }
        routes.session.post("/api/tasks/:taskId/queue") { request, context in
            struct Body: Decodable { var sessionId: String }
            let body = try await RequestBody.decode(Body.self, from: request, fields: ["sessionId"])
            let result = try await server.run(
                QueueTasks(
                    scope: try server.scope(of: request),
                    session: try context.session(body.sessionId),
                    taskIds: [try context.pathID("taskId")],
                    idempotencyKey: request.headers[.idempotencyKey]))
            return try Response.json(result)
        }
        routes.session.put("/api/tasks/:taskId/sessions/:sessionId/status") { request, context in
            struct Body: Decodable {
                var status: SessionStatus
                var notes: String?
            }
            let body = try await RequestBody.decode(Body.self, from: request, fields: ["status", "notes"])
            let change = try await server.run(
                UpdateProgress(
                    scope: try server.scope(of: request),
                    session: try context.session(try context.pathID("sessionId")),
                    taskId: try context.pathID("taskId"), status: body.status, notes: body.notes,
                    idempotencyKey: request.headers[.idempotencyKey]))
            return try Response.json(change)
        }
        routes.user.post("/api/tasks/:taskId/sessions/:sessionId/answer") { request, context in
            struct Body: Decodable { var answer: String }
            let body = try await RequestBody.decode(Body.self, from: request, fields: ["answer"])
            let answer = try await server.run(
                AnswerInput(
                    scope: try server.scope(of: request), taskId: try context.pathID("taskId"),
                    sessionId: try context.pathID("sessionId"), answer: body.answer,
                    idempotencyKey: request.headers[.idempotencyKey]))
            return try Response.json(answer)
        }
        routes.userOrSession.get("/api/tasks/:taskId/history") { request, context in
            let scope = try server.scope(of: request)
            return try Response.json(
                try await server.run(GetTaskHistory(scope: scope, taskId: try context.pathID("taskId"))))
        }
        routes.user.delete("/api/tasks/:taskId/sessions/:sessionId") { request, context in
            let change = try await server.run(
                RemoveSessionFromTask(
                    scope: try server.scope(of: request),
                    taskId: try context.pathID("taskId"),
                    sessionId: try context.pathID("sessionId"),
                    idempotencyKey: request.headers[.idempotencyKey]))
            return try Response.json(change.task)
        }
    }
}
