/// An outbound webhook: where Maestro posts the events of one project (or of every project), which events, and in
/// which form. Its signing secret is kept apart (`WebhookRegistration`): it is shown once, at creation.
public struct Webhook: Codable, Sendable, Equatable {
    /// The body a webhook posts.
    public enum Format: String, Codable, Sendable, CaseIterable {
        /// `{id, type, projectId, payload}`, signed as the Standard Webhooks specification says.
        case standard
        /// `{"text": …}`: one line a person can read, for a Slack incoming webhook.
        case slack
    }

    /// The wildcard event name: every event type.
    public static let allEvents = "*"
    /// How long a target URL may be.
    public static let maxURLLength = 2048

    /// `wh_…`.
    public var id: String
    /// The http or https URL events are posted to.
    public var url: String
    /// Event types (`task:session_status`, …), or `["*"]` for all.
    public var events: [String]
    /// The one project whose events it receives; nil: every project.
    public var projectId: String?
    /// Only `task:session_status` events with one of these session statuses; nil: every status. Other events are
    /// not filtered by it.
    public var statuses: [SessionStatus]?
    public var format: Format
    /// ISO-8601 UTC, from Redis's clock; events committed from then on are delivered.
    public var createdAt: String

    public init(
        id: String, url: String, events: [String], projectId: String?, statuses: [SessionStatus]?, format: Format,
        createdAt: String
    ) {
        self.id = id
        self.url = url
        self.events = events
        self.projectId = projectId
        self.statuses = statuses
        self.format = format
        self.createdAt = createdAt
    }

    /// Every optional field written out, `null` included, so clients see one shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(url, forKey: .url)
        try container.encode(events, forKey: .events)
        try container.encode(projectId, forKey: .projectId)
        try container.encode(statuses, forKey: .statuses)
        try container.encode(format, forKey: .format)
        try container.encode(createdAt, forKey: .createdAt)
    }

    /// Whether this webhook receives projects' `projectId` events at all.
    public func covers(projectId: String) -> Bool {
        self.projectId == nil || self.projectId == projectId
    }

    /// Whether an event of `type` with `sessionStatus` (the payload's `status`, for `task:session_status`) is one
    /// this webhook wants.
    public func wants(type: String, sessionStatus: String?) -> Bool {
        guard events.contains(Self.allEvents) || events.contains(type) else { return false }
        guard type == EventType.taskSessionStatus.rawValue, let statuses else { return true }
        return statuses.contains { $0.rawValue == sessionStatus }
    }

    /// Checks the parts a person chooses: events (known types, or `*` alone), statuses, project id. The URL is
    /// checked by the server (it needs the network).
    public static func validate(events: [String], statuses: [SessionStatus]?, projectId: String?)
        throws(MaestroError)
    {
        guard !events.isEmpty else {
            throw MaestroError(.invalidInput, "events must name at least one event type, or be [\"*\"] for all")
        }
        let known = Set(EventType.allCases.map(\.rawValue))
        for event in events where event != allEvents && !known.contains(event) {
            throw MaestroError(
                .invalidInput,
                "unknown event type '\(event.prefix(80))'; use * or "
                    + EventType.allCases.map(\.rawValue).joined(separator: ", "))
        }
        if events.contains(allEvents) && events.count > 1 {
            throw MaestroError(.invalidInput, "events: * already means every type; give it alone")
        }
        if let statuses, statuses.isEmpty {
            throw MaestroError(
                .invalidInput, "statuses must name at least one session status, or be left out for all of them")
        }
        if let projectId { try Validation.identifier(projectId, "project id") }
    }
}

/// A webhook as the registry keeps it: the webhook, its signing secret, and when it was created in milliseconds
/// (what decides which events it receives).
public struct WebhookRegistration: Codable, Sendable, Equatable {
    public var webhook: Webhook
    /// `whsec_` and the base64 of 32 random bytes.
    public var secret: String
    /// Milliseconds since 1970 by Redis's clock: events whose stream id is at least this are delivered.
    public var createdAtMillis: UInt64
    /// What the creating request asked for (URL, events, project, statuses, format), to tell a retry with the same
    /// idempotency key from a reuse of the key for another webhook.
    public var request: String

    public init(webhook: Webhook, secret: String, createdAtMillis: UInt64, request: String) {
        self.webhook = webhook
        self.secret = secret
        self.createdAtMillis = createdAtMillis
        self.request = request
    }

    /// Whether the event with stream id `id` of type `type` is one this webhook delivers: committed after it was
    /// created, of a wanted type and status.
    public func delivers(_ id: StreamID, projectId: String, type: String, sessionStatus: String?) -> Bool {
        id.milliseconds >= createdAtMillis && webhook.covers(projectId: projectId)
            && webhook.wants(type: type, sessionStatus: sessionStatus)
    }
}
