import Hummingbird
import MaestroStore

/// Who a request speaks for: the user (with the user token) or a session (with its own token).
///
/// Tokens come as `Authorization: Bearer <token>`. Only the live streams, which browsers open without headers, take
/// a credential in the URL: a single-use stream ticket (`ticket`), or the user token itself (`token`, kept for
/// older clients); `QueryTokenGuard` refuses a `token` parameter everywhere else.
struct Authenticator: Sendable {
    let userToken: String

    /// The bearer token of the request's `Authorization` header, if any.
    static func token(of request: Request) -> String? {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return nil }
        let token = header.dropFirst("Bearer ".count).trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// Refuses requests without the user token: 401 when no token is given, 403 when it is another one.
    func requireUser(_ request: Request) throws {
        try requireUser(token: Self.token(of: request))
    }

    /// Refuses a stream request that carries neither the user token (header, or `token` query parameter) nor a
    /// stream ticket that `redeem` accepts (once).
    func requireStreamUser(_ request: Request, redeem: (String) async throws -> Bool) async throws {
        if let header = Self.token(of: request) { return try requireUser(token: header) }
        let query = request.uri.queryParameters
        if let ticket = query.get("ticket"), !ticket.isEmpty {
            guard StreamTickets.isWellFormed(ticket), try await redeem(ticket) else {
                throw APIError.unauthorized(
                    "the stream ticket is unknown, expired or already used; get a new one (POST /api/stream-tickets)")
            }
            return
        }
        try requireUser(token: query.get("token").flatMap { $0.isEmpty ? nil : $0 })
    }

    private func requireUser(token: String?) throws {
        guard let token else {
            throw APIError.unauthorized("this endpoint needs the user token (Authorization: Bearer <token>)")
        }
        guard Self.constantTimeEqual(token, userToken) else {
            throw APIError.forbidden("the token is not the user token")
        }
    }

    /// Compares in time that depends only on the secret's length: every byte of `secret` is compared whatever
    /// `given` holds, and a different length counts as a difference, not an early exit.
    static func constantTimeEqual(_ given: String, _ secret: String) -> Bool {
        let (x, y) = (Array(given.utf8), Array(secret.utf8))
        var difference = UInt(bitPattern: x.count ^ y.count)
        for index in y.indices {
            difference |= UInt((x.isEmpty ? 0 : x[index % x.count]) ^ y[index])
        }
        return difference == 0
    }
}

/// The token never appears in logs or descriptions (ServiceLifecycle, for one, logs its services' descriptions,
/// which reflect into every stored property).
extension Authenticator: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    var description: String { "Authenticator(user token: redacted)" }
    var debugDescription: String { description }
    var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
