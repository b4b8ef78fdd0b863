import Foundation
import Hummingbird
import MaestroDomain
import MaestroStore
import MaestroWebhooks

/// `/api/webhooks…` (user): create, list, read and delete webhooks; list a webhook's deliveries; send one again.
struct WebhookRoutes {
    let server: ServerContext

    struct Created: Encodable {
        var webhook: Webhook
        /// Shown only here: receivers verify signatures with it.
        var secret: String
    }

    struct WebhookList: Encodable {
        var webhooks: [Webhook]
    }

    struct DeliveryList: Encodable {
        var deliveries: [WebhookDelivery]
    }

    struct Deleted: Encodable {
        var webhookId: String
    }

    struct Retried: Encodable {
        var delivery: WebhookDelivery
    }

    func register(on routes: RouteGroups) {
        routes.user.post("/api/webhooks") { request, _ in
            let (webhook, secret) = try await create(request)
            return try Response.json(Created(webhook: webhook, secret: secret), status: .created)
        }
        routes.user.get("/api/webhooks") { request, _ in
            return try Response.json(WebhookList(webhooks: try await server.pool.execute(RegisteredWebhooks()).map(\.webhook)))
        }
        routes.user.get("/api/webhooks/:webhookId") { request, context in
            return try Response.json(try await registration(context).webhook)
        }
        routes.user.delete("/api/webhooks/:webhookId") { request, context in
            let webhook = try await registration(context).webhook
            guard try await server.pool.execute(UnregisterWebhook(id: webhook.id)) else {
                throw APIError.notFound("webhook \(webhook.id) does not exist")
            }
            // Its deliveries go now (or, should this server stop half-way, at a dispatcher's next housekeeping).
            for projectId in try await projects(of: webhook) {
                let scope = try server.scope(projectId)
                while try await server.execute(DropWebhookDeliveries(scope: scope, webhookId: webhook.id)) {}
            }
            return try Response.json(Deleted(webhookId: webhook.id))
        }
        routes.user.get("/api/webhooks/:webhookId/deliveries") { request, context in
            let webhook = try await registration(context).webhook
            let limit = try limit(of: request)
            var deliveries: [WebhookDelivery] = []
            for projectId in try await projects(of: webhook, only: projectFilter(request)) {
                deliveries += try await server.run(
                    ListWebhookDeliveries(scope: try server.scope(projectId), webhookId: webhook.id, limit: limit))
            }
            // Newest first across projects (ISO-8601 times of one format sort as text), then by event id.
            deliveries.sort { ($0.createdAt, $0.eventId) > ($1.createdAt, $1.eventId) }
            return try Response.json(DeliveryList(deliveries: Array(deliveries.prefix(limit))))
        }
        routes.user.post("/api/webhooks/:webhookId/deliveries/:eventId/retry") { request, context in
            let webhook = try await registration(context).webhook
            let eventId = try context.pathID("eventId")
            guard StreamID(eventId) != nil else {
                throw APIError.badRequest("invalid event id '\(eventId.prefix(48))': use the delivery's eventId")
            }
            let projects = try await projects(of: webhook, only: projectFilter(request))
            var found: [WebhookDelivery] = []
            for projectId in projects {
                do {
                    found.append(
                        try await server.run(
                            RetryWebhookDelivery(
                                scope: try server.scope(projectId), webhookId: webhook.id, eventId: eventId)))
                } catch let error as MaestroError where error.code == .notFound && projects.count > 1 {
                    continue
                }
                if projects.count > 1 { break }
            }
            guard let delivery = found.first else {
                throw APIError.notFound("webhook \(webhook.id) has no delivery of event \(eventId)")
            }
            return try Response.json(Retried(delivery: delivery))
        }
    }

    /// Creates the webhook a request describes, or with an idempotency key seen before, returns the one it created.
    private func create(_ request: Request) async throws -> (Webhook, String) {
        struct Body: Decodable {
            var url: String
            var events: [String]
            var projectId: String?
            var statuses: [String]?
            var format: String?
        }
        let body = try await RequestBody.decode(
            Body.self, from: request, fields: ["url", "events", "projectId", "statuses", "format"])
        let statuses = try body.statuses.map { names in
            try names.map { name in
                guard let status = SessionStatus(rawValue: name) else {
                    throw APIError.badRequest(
                        "unknown session status '\(name.prefix(40))'; use "
                            + SessionStatus.allCases.map(\.rawValue).joined(separator: ", "))
                }
                return status
            }
        }
        let format = try body.format.map { name in
            guard let format = Webhook.Format(rawValue: name) else {
                throw APIError.badRequest("unknown format '\(name.prefix(40))'; use standard or slack")
            }
            return format
        }
        try Webhook.validate(events: body.events, statuses: statuses, projectId: body.projectId)
        let target = try WebhookTarget(body.url)
        do {
            _ = try await TargetResolver.address(
                for: target, allowPrivate: server.webhooks.allowPrivateTargets, timeout: server.webhooks.timeout)
        } catch let refusal as TargetResolver.Refusal {
            throw APIError.badRequest("url '\(body.url.prefix(120))' cannot be used: \(refusal.message)")
        }
        let key = request.headers[.idempotencyKey]
        if let key, key.isEmpty || key.utf8.count > 200 || !key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
            throw APIError.badRequest("an idempotency key must be 1-200 printable ASCII characters without spaces")
        }
        let events = body.events.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let asked = [
            body.url, events.joined(separator: ","), body.projectId ?? "", statuses?.map(\.rawValue).joined(separator: ",") ?? "",
            (format ?? .standard).rawValue,
        ].joined(separator: "\n")
        let id = RandomIdentifier.make(prefix: "wh", idempotencyKey: key)
        if let existing = try await server.pool.execute(RegisteredWebhook(id: id)) {
            return try replay(existing, asked: asked)
        }
        guard try await server.pool.execute(WebhookCount()) < WebhookRegistry.limit else {
            throw APIError(
                .conflict, "CONFLICT", "there are \(WebhookRegistry.limit) webhooks already: delete one first")
        }
        let now = try await server.pool.execute(RedisClock())
        let webhook = Webhook(
            id: id, url: body.url, events: events, projectId: body.projectId, statuses: statuses,
            format: format ?? .standard, createdAt: Self.iso(millis: now))
        let registration = WebhookRegistration(
            webhook: webhook, secret: WebhookSecret.generate().text, createdAtMillis: now, request: asked)
        guard try await server.pool.execute(RegisterWebhook(registration)) else {
            // Another request with the same key got there first.
            guard let existing = try await server.pool.execute(RegisteredWebhook(id: id)) else {
                throw APIError(.conflict, "CONFLICT", "webhook \(id) was created and deleted meanwhile; try again")
            }
            return try replay(existing, asked: asked)
        }
        return (webhook, registration.secret)
    }

    private func replay(_ existing: WebhookRegistration, asked: String) throws -> (Webhook, String) {
        guard existing.request == asked else {
            throw APIError(
                .conflict, "CONFLICT",
                "idempotency key reused with other arguments: a key names one change; use a new key for a different "
                    + "change")
        }
        return (existing.webhook, existing.secret)
    }

    /// The webhook the path names: 400 for a malformed id, 404 for an unknown one.
    private func registration(_ context: MaestroRequestContext) async throws -> WebhookRegistration {
        let id = try context.pathID("webhookId")
        try Validation.identifier(id, "webhook id")
        guard let registration = try await server.pool.execute(RegisteredWebhook(id: id)) else {
            throw APIError.notFound("webhook \(id) does not exist")
        }
        return registration
    }

    /// The projects a webhook's deliveries may be in: its own, or every registered one (narrowed to `only`).
    private func projects(of webhook: Webhook, only: String? = nil) async throws -> [String] {
        if let only {
            let scope = try server.scope(only)
            guard webhook.covers(projectId: scope.projectId) else {
                throw APIError.badRequest("webhook \(webhook.id) receives only project \(webhook.projectId ?? "")")
            }
            return [scope.projectId]
        }
        if let projectId = webhook.projectId { return [projectId] }
        return try await server.pool.execute(RegisteredProjects())
    }

    /// The `projectId` a request narrows a webhook's deliveries to; absent or empty: every project the webhook covers
    /// (webhooks belong to no project, so the dashboard sends an empty one).
    private func projectFilter(_ request: Request) -> String? {
        guard let projectId = request.uri.queryParameters.get("projectId"), !projectId.isEmpty else { return nil }
        return projectId
    }

    /// `limit` (1-1000, default 50).
    private func limit(of request: Request) throws -> Int {
        guard let text = request.uri.queryParameters.get("limit") else { return 50 }
        guard let limit = Int(text), (1...1000).contains(limit) else {
            throw APIError.badRequest("limit must be a whole number from 1 to 1000")
        }
        return limit
    }

    /// Milliseconds since 1970 as ISO-8601 UTC with milliseconds, as every Maestro time is written.
    static func iso(millis: UInt64) -> String {
        let date = Date(timeIntervalSince1970: Double(millis) / 1000)
        var text = date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
        if !text.hasSuffix("Z") { text += "Z" }
        return text
    }
}
