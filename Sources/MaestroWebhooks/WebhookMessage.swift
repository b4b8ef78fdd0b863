import MaestroDomain

/// The request a delivery sends: its JSON body in the webhook's format, and the Standard Webhooks headers that sign
/// it (the same for both formats; Slack ignores them).
public struct WebhookMessage: Sendable {
    public let body: [UInt8]
    public let headers: [(name: String, value: String)]

    /// Builds the request for event `eventId` of `type` in `projectId`, whose payload is `payload` (a JSON object's
    /// text), signed at `timestamp` (seconds since 1970). Throws when the payload is not a JSON object.
    public init(
        eventId: String, type: String, projectId: String, payload: String, format: Webhook.Format,
        secret: WebhookSecret, timestamp: Int64
    ) throws(MaestroError) {
        let payloadBytes = Array(payload.utf8)
        guard let parsed = try? JSONParser.parse(payloadBytes), parsed.objectValue != nil else {
            throw MaestroError(.invalidInput, "the event's payload is not a JSON object")
        }
        switch format {
        case .standard:
            // Stream ids, event types and project ids never need escaping; the payload is sent as stored.
            body =
                Array(#"{"id":"\#(eventId)","type":\#(JSONValue.string(type).canonicalText),"projectId":"\#(projectId)","payload":"#.utf8)
                + payloadBytes + [UInt8(ascii: "}")]
        case .slack:
            let text = SlackMessage.text(projectId: projectId, type: type, payload: parsed)
            body = Array(#"{"text":\#(JSONValue.string(text).canonicalText)}"#.utf8)
        }
        headers =
            [("content-type", "application/json"), ("user-agent", "Maestro-Webhooks/1")]
            + WebhookSignature.headers(id: eventId, timestamp: timestamp, body: body, secret: secret)
    }
}
