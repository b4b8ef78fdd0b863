import Hummingbird

/// Refuses (401) a `token` query parameter on every path but the live streams': a token in a URL ends up in
/// browser history, proxy logs and Referer headers. The dashboard takes its token after `#` instead, which browsers
/// never send.
struct QueryTokenGuard<Context: RequestContext>: RouterMiddleware {
    static var streamPaths: Set<String> { ["/ws", "/events"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        if request.uri.queryParameters.get("token") != nil && !Self.streamPaths.contains(request.uri.path) {
            throw APIError.unauthorized(
                "tokens are not accepted in URLs: send Authorization: Bearer <token> (to open the dashboard with a "
                    + "token, put it after #: /#token=<token>)")
        }
        return try await next(request, context)
    }
}
