import Hummingbird
import MaestroStore

/// The request context of every route: Hummingbird's core context, plus who the request speaks for once the
/// authentication middleware of its route group has checked it (`Authentication.swift`).
public struct MaestroRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Who the request speaks for; `.anonymous` on the routes that need no credential (health, metrics) and on the
    /// live streams, which check theirs themselves (stream tickets).
    var caller = Caller.anonymous

    public init(source: Source) {
        coreContext = .init(source: source)
    }

    /// A path parameter, percent-decoded as clients encode it (`task%3A1` is `task:1`); a malformed encoding is
    /// kept as sent, so the id check refuses it with the text the client sent.
    func pathID(_ name: String) throws -> String {
        let raw = try parameters.require(name)
        return raw.removingPercentEncoding ?? raw
    }

    /// The credentials of session `sessionId` with the request's bearer token, on the routes of a group that
    /// requires one (`RequireBearerToken`); the Redis functions check the token against the session's hash.
    func session(_ sessionId: String) throws -> SessionCredentials {
        guard case .bearer(let token) = caller else {
            throw APIError.unauthorized("this endpoint needs the session's token (Authorization: Bearer <token>)")
        }
        return SessionCredentials(sessionId: sessionId, token: token)
    }
}

/// Who a request speaks for.
enum Caller: Sendable {
    case anonymous
    /// The user token was given.
    case user
    /// A session's token was given and checked against that session (`X-Maestro-Session-Id`).
    case session(SessionCredentials)
    /// A bearer token that the route's Redis function checks against the session it names.
    case bearer(String)
}
