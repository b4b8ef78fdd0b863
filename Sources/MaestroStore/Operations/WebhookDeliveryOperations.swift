import MaestroDomain
import RedisClient

// A project's side of outbound webhooks, part two: claiming due deliveries under a lease, recording each attempt,
// retrying by hand, listing, and dropping a deleted webhook's data (Lua/webhook_delivery.lua).

/// One delivery of one event to one webhook, as the API lists it.
public struct WebhookDelivery: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        /// Waiting for its next attempt, or being sent.
        case pending
        /// A 2xx came back.
        case delivered
        /// Every attempt failed.
        case dead
    }

    public var webhookId: String
    public var projectId: String
    /// The event's stream id (its `webhook-id` header).
    public var eventId: String
    public var type: String
    public var state: State
    public var attempts: Int
    /// The HTTP status of the last attempt, if one came back.
    public var lastStatus: Int?
    /// Why the last attempt failed, if it did ("HTTP 500", "timed out after 10 s", …); never the response body.
    public var lastError: String?
    /// When the next attempt is due (pending only).
    public var nextAttemptAt: String?
    /// When the event was committed.
    public var createdAt: String
    public var updatedAt: String
    public var deliveredAt: String?

    /// Every optional field written out, `null` included, so clients see one shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(webhookId, forKey: .webhookId)
        try container.encode(projectId, forKey: .projectId)
        try container.encode(eventId, forKey: .eventId)
        try container.encode(type, forKey: .type)
        try container.encode(state, forKey: .state)
        try container.encode(attempts, forKey: .attempts)
        try container.encode(lastStatus, forKey: .lastStatus)
        try container.encode(lastError, forKey: .lastError)
        try container.encode(nextAttemptAt, forKey: .nextAttemptAt)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(deliveredAt, forKey: .deliveredAt)
    }
}

/// Claims up to `capacity[webhookId]` due deliveries of each webhook: each gets one more attempt and is leased to
/// `token` for `lease` (due again when it runs out, so a server that dies while sending leaves it to another). Also
/// reports each listed webhook's backlog in the project.
public struct ClaimWebhookDeliveries: StoreOperation {
    public var scope: ProjectScope
    public var lease: Duration
    public var token: String
    /// Webhook ids and how many of their deliveries to claim (0: none, only the backlog).
    public var capacity: [(webhookId: String, count: Int)]

    public init(scope: ProjectScope, lease: Duration, token: String, capacity: [(webhookId: String, count: Int)]) {
        self.scope = scope
        self.lease = lease
        self.token = token
        self.capacity = capacity
    }

    /// A claimed delivery, with what to send.
    public struct Claimed: Codable, Sendable, Equatable {
        public var webhookId: String
        public var eventId: String
        public var type: String
        /// The event's payload: a JSON object's text.
        public var payload: String
        /// This attempt's number (1 for the first).
        public var attempts: Int
        /// The event's commit time, milliseconds since 1970.
        public var createdAt: UInt64
    }

    /// A webhook's pending deliveries in the project.
    public struct Backlog: Codable, Sendable, Equatable {
        public var webhookId: String
        public var pending: Int
        /// The commit time of the oldest pending one, milliseconds since 1970.
        public var oldestPendingAt: UInt64?
    }

    public struct Outcome: Codable, Sendable, Equatable {
        public var claimed: [Claimed]
        public var backlog: [Backlog]
        /// Redis's clock when the claim was made, milliseconds since 1970.
        public var now: UInt64
    }

    public var function: String { "webhook_claim" }
    public var arguments: [String] {
        [String(lease.wholeMilliseconds), token] + capacity.flatMap { [$0.webhookId, String($0.count)] }
    }
    public func decode(_ reply: RedisReply) throws -> Outcome { try StoreReply.decode(Outcome.self, from: reply) }
}

/// Records how a claimed attempt went; applies only while `token`'s claim is the delivery's current one.
public struct ReportWebhookDelivery: StoreOperation {
    public enum Outcome: Sendable, Equatable {
        case delivered(status: Int)
        /// Failed; try again after `after`.
        case retry(after: Duration, status: Int?, error: String)
        /// Failed for the last time.
        case dead(status: Int?, error: String)
    }

    public var scope: ProjectScope
    public var webhookId: String
    public var eventId: String
    public var token: String
    public var outcome: Outcome

    public init(scope: ProjectScope, webhookId: String, eventId: String, token: String, outcome: Outcome) {
        self.scope = scope
        self.webhookId = webhookId
        self.eventId = eventId
        self.token = token
        self.outcome = outcome
    }

    public struct Result: Codable, Sendable, Equatable {
        /// False when the claim had been taken over (or the delivery dropped): nothing was recorded.
        public var applied: Bool
        public var delivery: WebhookDelivery?
    }

    public var function: String { "webhook_report" }
    public var arguments: [String] {
        let (name, status, error, delay): (String, Int?, String, Duration) =
            switch outcome {
            case .delivered(let status): ("delivered", status, "", .zero)
            case .retry(let after, let status, let error): ("retry", status, error, after)
            case .dead(let status, let error): ("dead", status, error, .zero)
            }
        return [webhookId, eventId, token, name, status.map(String.init) ?? "", error,
            String(delay.wholeMilliseconds)]
    }
    public func decode(_ reply: RedisReply) throws -> Result { try StoreReply.decode(Result.self, from: reply) }
}

/// Sends a delivery again (a person's retry): a delivered or dead one is pending again with its attempts reset, a
/// waiting one is due now. Refused while it is being sent, or when there is no such delivery.
public struct RetryWebhookDelivery: StoreOperation {
    public var scope: ProjectScope
    public var webhookId: String
    public var eventId: String

    public init(scope: ProjectScope, webhookId: String, eventId: String) {
        self.scope = scope
        self.webhookId = webhookId
        self.eventId = eventId
    }

    public struct Result: Codable, Sendable, Equatable {
        public var delivery: WebhookDelivery
    }

    public var function: String { "webhook_retry" }
    public var arguments: [String] { [webhookId, eventId] }
    public func decode(_ reply: RedisReply) throws -> WebhookDelivery {
        try StoreReply.decode(Result.self, from: reply).delivery
    }
}

/// A webhook's newest deliveries in a project (up to `limit`, 0-1000), newest first.
public struct ListWebhookDeliveries: StoreOperation {
    public var scope: ProjectScope
    public var webhookId: String
    public var limit: Int

    public init(scope: ProjectScope, webhookId: String, limit: Int) {
        self.scope = scope
        self.webhookId = webhookId
        self.limit = limit
    }

    struct Reply: Decodable {
        var deliveries: [WebhookDelivery]
    }

    public var function: String { "webhook_deliveries" }
    public var isReadOnly: Bool { true }
    public var arguments: [String] { [webhookId, String(limit)] }
    public func decode(_ reply: RedisReply) throws -> [WebhookDelivery] {
        try StoreReply.decode(Reply.self, from: reply).deliveries
    }
}

/// Deletes up to 1,000 of a deleted webhook's deliveries in a project; true while more are left.
public struct DropWebhookDeliveries: StoreOperation {
    public var scope: ProjectScope
    public var webhookId: String

    public init(scope: ProjectScope, webhookId: String) {
        self.scope = scope
        self.webhookId = webhookId
    }

    struct Reply: Decodable {
        var more: Bool
    }

    public var function: String { "webhook_drop" }
    public var arguments: [String] { [webhookId] }
    public func decode(_ reply: RedisReply) throws -> Bool { try StoreReply.decode(Reply.self, from: reply).more }
}
