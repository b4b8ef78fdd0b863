import Hummingbird
import MaestroStore

// The authentication middleware of the route groups: each route belongs to the group of the credential it takes
// (spec §3, §6.1), so no route checks one by hand.

/// Routes for the user only (the dashboard, an operator): 401 without a token, 403 with another one.
struct RequireUser: RouterMiddleware {
    let authenticator: Authenticator

    func handle(
        _ request: Request, context: MaestroRequestContext,
        next: (Request, MaestroRequestContext) async throws -> Response
    ) async throws -> Response {
        try authenticator.requireUser(request)
        var context = context
        context.caller = .user
        return try await next(request, context)
    }
}

/// Reads and task creation, open to the user and to a session of the project with its own token (the session named
/// by `X-Maestro-Session-Id`, checked in the project the query names).
struct RequireUserOrSession: RouterMiddleware {
    let server: ServerContext

    func handle(
        _ request: Request, context: MaestroRequestContext,
        next: (Request, MaestroRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.caller = try await server.caller(of: request, in: try server.scope(of: request))
        return try await next(request, context)
    }
}

/// A session's own writes (its status on a task, queueing): the bearer token is required here, and the Redis
/// function checks it against the session the route names.
struct RequireBearerToken: RouterMiddleware {
    func handle(
        _ request: Request, context: MaestroRequestContext,
        next: (Request, MaestroRequestContext) async throws -> Response
    ) async throws -> Response {
        guard let token = Authenticator.token(of: request) else {
            throw APIError.unauthorized("this endpoint needs the session's token (Authorization: Bearer <token>)")
        }
        var context = context
        context.caller = .bearer(token)
        return try await next(request, context)
    }
}

extension ServerContext {
    /// The user, or the session of `X-Maestro-Session-Id` whose token the request carries, checked in `scope`.
    func caller(of request: Request, in scope: ProjectScope) async throws -> Caller {
        guard let sessionId = request.headers[.maestroSessionID] else {
            try authenticator.requireUser(request)
            return .user
        }
        guard let token = Authenticator.token(of: request) else {
            throw APIError.unauthorized("this endpoint needs the session's token (Authorization: Bearer <token>)")
        }
        let credentials = SessionCredentials(sessionId: sessionId, token: token)
        _ = try await pool.run(CheckSession(scope: scope, credentials: credentials))
        return .session(credentials)
    }
}

/// The router's route groups, one per credential; each routes file adds its routes to the groups they belong to.
struct RouteGroups {
    /// No credential: health and metrics, and the live streams (which take stream tickets themselves).
    let open: Router<MaestroRequestContext>
    let user: RouterGroup<MaestroRequestContext>
    let userOrSession: RouterGroup<MaestroRequestContext>
    let session: RouterGroup<MaestroRequestContext>

    init(_ router: Router<MaestroRequestContext>, server: ServerContext) {
        open = router
        user = router.group().add(middleware: RequireUser(authenticator: server.authenticator))
        userOrSession = router.group().add(middleware: RequireUserOrSession(server: server))
        session = router.group().add(middleware: RequireBearerToken())
    }
}
