import Hummingbird
import MaestroStore
import RedisClient

/// Who a request speaks for: the user (with the user token) or a session (with its own token).
///
/// Tokens come as `Authorization: Bearer <token>`, or as a `token` query parameter where a browser cannot set
/// headers (WebSocket, EventSource).
struct Authenticator: Sendable {
    let userToken: String

    /// The token the request carries, if any.
    static func token(of request: Request) -> String? {
        if let header = request.headers[.authorization], header.hasPrefix("Bearer ") {
            let token = header.dropFirst("Bearer ".count).trimmingCharacters(in: .whitespaces)
            return token.isEmpty ? nil : token
        }
        return request.uri.queryParameters.get("token").flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Refuses requests without the user token: 401 when no token is given, 403 when it is another one.
    func requireUser(_ request: Request) throws {
        guard let token = Self.token(of: request) else {
            throw APIError.unauthorized("this endpoint needs the user token (Authorization: Bearer <token>)")
        }
        guard constantTimeEqual(token, userToken) else {
            throw APIError.forbidden("the token is not the user token")
        }
    }

    /// Refuses requests that carry neither the user token nor a session's own token (the session named by the
    /// `X-Maestro-Session-Id` header): reads and task creation are open to both (spec §3, §6.1).
    func requireUserOrSession(_ request: Request, scope: ProjectScope, pool: RedisConnectionPool) async throws {
        guard let sessionId = request.headers[.maestroSessionID] else { return try requireUser(request) }
        let credentials = try session(sessionId, of: request)
        _ = try await pool.run(CheckSession(scope: scope, credentials: credentials))
    }

    /// The session credentials a session endpoint needs: the session from the path and the request's token,
    /// which the Redis functions check against the session's stored hash.
    func session(_ sessionId: String, of request: Request) throws -> SessionCredentials {
        guard let token = Self.token(of: request) else {
            throw APIError.unauthorized("this endpoint needs the session's token (Authorization: Bearer <token>)")
        }
        return SessionCredentials(sessionId: sessionId, token: token)
    }

    private func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// The token never appears in logs or descriptions (ServiceLifecycle, for one, logs its services' descriptions,
/// which reflect into every stored property).
extension Authenticator: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    var description: String { "Authenticator(user token: redacted)" }
    var debugDescription: String { description }
    var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
