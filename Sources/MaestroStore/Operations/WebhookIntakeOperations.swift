import MaestroDomain
import RedisClient

// A project's side of outbound webhooks, part one: reading the event stream through the shared consumer group and
// enqueueing deliveries (Lua/webhook_intake.lua). Every delivering server reads as its own consumer of the group
// `webhooks`; an event read is pending in the group until the call that enqueues its deliveries acknowledges it.

/// The consumer group every delivering server reads a project's stream through.
public enum WebhookIntake {
    public static let group = "webhooks"
    /// How many entries one read takes.
    public static let batch = 100
}

/// Makes sure the project's stream has the group, reading nothing from before `start` (created there, or moved
/// forward to there — never back), and forgets consumers idle longer than `forgetIdleConsumersAfter` that hold
/// nothing.
public struct PrepareWebhookIntake: StoreOperation {
    public var scope: ProjectScope
    public var start: StreamID
    public var forgetIdleConsumersAfter: Duration

    public init(scope: ProjectScope, start: StreamID, forgetIdleConsumersAfter: Duration = .seconds(3600)) {
        self.scope = scope
        self.start = start
        self.forgetIdleConsumersAfter = forgetIdleConsumersAfter
    }

    public struct Outcome: Codable, Sendable, Equatable {
        public var created: Bool
        public var movedTo: String?
        public var forgotten: Int
    }

    public var function: String { "webhook_prepare" }
    public var arguments: [String] { [start.description, String(forgetIdleConsumersAfter.wholeMilliseconds)] }
    public func decode(_ reply: RedisReply) throws -> Outcome { try StoreReply.decode(Outcome.self, from: reply) }
}

/// Entries of a project's stream read through the group: new ones (`XREADGROUP … >`), or those other consumers left
/// pending longer than `minimumIdle` (`XAUTOCLAIM`, when a server died between reading and enqueueing).
public struct ReadForWebhooks: StoreCommand {
    public enum Source: Sendable {
        case new
        case abandoned(minimumIdle: Duration)
    }

    public var scope: ProjectScope
    public var consumer: String
    public var source: Source

    public init(scope: ProjectScope, consumer: String, source: Source) {
        self.scope = scope
        self.consumer = consumer
        self.source = source
    }

    public var command: RedisCommand {
        switch source {
        case .new:
            RedisCommand(
                "XREADGROUP", "GROUP", WebhookIntake.group, consumer, "COUNT", String(WebhookIntake.batch), "STREAMS",
                scope.eventStream, ">")
        case .abandoned(let idle):
            RedisCommand(
                "XAUTOCLAIM", scope.eventStream, WebhookIntake.group, consumer, String(idle.wholeMilliseconds), "0-0",
                "COUNT", String(WebhookIntake.batch))
        }
    }

    /// The entries read (events, and the ids of entries that are not), or nil when the stream has no group (yet).
    public func decode(_ reply: RedisReply) throws -> EventsAfter.Page? {
        if case .error(let message) = reply {
            if message.hasPrefix("NOGROUP") { return nil }
            throw RedisError(.server, message)
        }
        switch source {
        case .new:
            // [[stream, [entries…]]], or nil when nothing is new.
            return try EventsAfter.Page(entries: reply.array?.first?.array?.last?.array ?? [])
        case .abandoned:
            // [next cursor, [entries…], [ids trimmed away meanwhile]]: trimmed ones left the group by themselves.
            return try EventsAfter.Page(entries: (reply.array ?? []).dropFirst().first?.array ?? [])
        }
    }
}

/// Enqueues the deliveries of events read through the group and acknowledges them, all at once: `targets` pairs
/// each event id with the webhooks that want it (none for events no webhook wants; they are acknowledged too).
/// Events another server enqueued meanwhile are skipped, so each is enqueued once.
public struct EnqueueWebhookDeliveries: StoreOperation {
    public var scope: ProjectScope
    public var targets: [(eventId: StreamID, webhookIds: [String])]

    public init(scope: ProjectScope, targets: [(eventId: StreamID, webhookIds: [String])]) {
        self.scope = scope
        self.targets = targets
    }

    public struct Outcome: Codable, Sendable, Equatable {
        /// Deliveries created.
        public var enqueued: Int
        /// Events acknowledged.
        public var acknowledged: Int
        /// Events another server had enqueued already.
        public var skipped: Int
        /// Events trimmed from the stream before they could be enqueued.
        public var missing: Int
    }

    public var function: String { "webhook_enqueue" }
    public var arguments: [String] {
        targets.flatMap { [$0.eventId.description, $0.webhookIds.joined(separator: ",")] }
    }
    public func decode(_ reply: RedisReply) throws -> Outcome { try StoreReply.decode(Outcome.self, from: reply) }
}

/// The ids of the webhooks that have deliveries in a project (deleted ones included until their data is dropped).
public struct ProjectWebhookIDs: StoreOperation {
    public var scope: ProjectScope

    public init(scope: ProjectScope) { self.scope = scope }

    struct Reply: Decodable {
        var webhookIds: [String]
    }

    public var function: String { "webhook_ids" }
    public var isReadOnly: Bool { true }
    public var arguments: [String] { [] }
    public func decode(_ reply: RedisReply) throws -> [String] {
        try StoreReply.decode(Reply.self, from: reply).webhookIds
    }
}
