import MaestroDomain

/// Which webhooks want which of the events read from a project's stream: committed after the webhook was created, of
/// a type it wants, and for `task:session_status`, with a session status it wants.
public enum DeliveryMatching {
    /// For each entry read (events, then the ids of entries that are not events: no webhook wants those, but they
    /// are acknowledged all the same), the ids of the webhooks that want it.
    public static func targets(
        events: [WireEvent], otherEntries: [StreamID], projectId: String, webhooks: [WebhookRegistration]
    ) -> [(eventId: StreamID, webhookIds: [String])] {
        let covering = webhooks.filter { $0.webhook.covers(projectId: projectId) }
        var targets = events.map { event in
            let status = event.type == .taskSessionStatus ? sessionStatus(of: event) : nil
            let ids = covering.filter {
                $0.delivers(event.id, projectId: projectId, type: event.type.rawValue, sessionStatus: status)
            }.map(\.webhook.id)
            return (eventId: event.id, webhookIds: ids)
        }
        targets += otherEntries.map { (eventId: $0, webhookIds: [String]()) }
        return targets
    }

    /// The `status` of a `task:session_status` event's payload.
    static func sessionStatus(of event: WireEvent) -> String? {
        (try? JSONParser.parse(event.json))?.objectValue?["payload"]?.objectValue?["status"]?.stringValue
    }
}
