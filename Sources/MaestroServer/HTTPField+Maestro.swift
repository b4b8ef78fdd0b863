import HTTPTypes

extension HTTPField.Name {
    /// A client's key that makes a retried write apply once.
    static let idempotencyKey = Self("Idempotency-Key")!
    /// The session a session token in `Authorization` belongs to, on endpoints open to users and sessions.
    static let maestroSessionID = Self("X-Maestro-Session-Id")!
    /// Where an EventSource resumes after a reconnect.
    static let lastEventID = Self("Last-Event-ID")!
}
