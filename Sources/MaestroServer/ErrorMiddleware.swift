import Hummingbird

/// Maps every error a route throws to the API's one JSON error shape (see `APIError`).
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            throw APIError.notFound("no route for \(request.method) \(request.uri.path)")
        } catch {
            throw APIError.from(error)
        }
    }
}
