import HTTPTypes

extension HTTPField.Name {
    /// A client's key that makes a retried write apply once.
    static let idempotencyKey = Self("Idempotency-Key")!
    /// Where an EventSource resumes after a reconnect.
    static let lastEventID = Self("Last-Event-ID")!
}
