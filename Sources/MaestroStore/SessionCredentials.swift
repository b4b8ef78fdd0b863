/// What proves a caller is a given session: its id and the token issued when it was spawned.
public struct SessionCredentials: Sendable, Equatable {
    public var sessionId: String
    public var token: String

    public init(sessionId: String, token: String) {
        self.sessionId = sessionId
        self.token = token
    }
}
