import MaestroDomain
import RedisClient

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The webhooks, `mae:webhooks`: one hash, webhook id → its registration as JSON (the webhook, its secret, when it
/// was created). One key, so creating and deleting a webhook is one command each and a listing is one read. Outside
/// every project's slot, like the project registry: the functions never read it; a delivering server reads it and
/// passes each project's function the webhooks that want an event. It holds the signing secrets, so only
/// maestro-server (and the admin) may read it: the agent users' key patterns leave it out (deploy/users.acl).
public enum WebhookRegistry {
    /// The hash's key.
    public static let key = "mae:webhooks"
    /// How many webhooks a deployment may have (each one is polled in every project it covers).
    public static let limit = 100

    static func decode(_ bytes: [UInt8]) throws -> WebhookRegistration {
        do {
            return try JSONDecoder().decode(WebhookRegistration.self, from: Data(bytes))
        } catch {
            throw StoreError(.unexpectedReply, "a webhook in \(key) cannot be read: \(error)")
        }
    }

    static func failure(_ reply: RedisReply) -> (any Error)? {
        if case .error(let message) = reply { return RedisError(.server, message) }
        return nil
    }
}

/// Adds a webhook unless one with its id exists; returns the registration the registry holds for that id afterwards
/// (the new one, or the one already there: a retried create with the same idempotency key gets the first back).
public struct RegisterWebhook: StoreCommand {
    public var registration: WebhookRegistration

    public init(_ registration: WebhookRegistration) { self.registration = registration }

    public var command: RedisCommand {
        let json = (try? JSONEncoder().encode(registration)).map { Array($0) } ?? []
        return RedisCommand(arguments: [Array("HSETNX".utf8), Array(WebhookRegistry.key.utf8),
            Array(registration.webhook.id.utf8), json])
    }

    /// True when this call added it.
    public func decode(_ reply: RedisReply) throws -> Bool {
        if let error = WebhookRegistry.failure(reply) { throw error }
        return reply.integer == 1
    }
}

/// Every webhook, oldest first; entries that cannot be read are left out (and reported once by the caller).
public struct RegisteredWebhooks: StoreCommand {
    public init() {}

    public var command: RedisCommand { RedisCommand("HGETALL", WebhookRegistry.key) }

    public func decode(_ reply: RedisReply) throws -> [WebhookRegistration] {
        if let error = WebhookRegistry.failure(reply) { throw error }
        let fields = reply.array ?? []
        var registrations: [WebhookRegistration] = []
        for index in stride(from: 1, to: fields.count, by: 2) {
            guard case .bulk(let bytes) = fields[index], let registration = try? WebhookRegistry.decode(bytes)
            else { continue }
            registrations.append(registration)
        }
        return registrations.sorted { ($0.createdAtMillis, $0.webhook.id) < ($1.createdAtMillis, $1.webhook.id) }
    }
}

/// One webhook by id, or nil.
public struct RegisteredWebhook: StoreCommand {
    public var id: String

    public init(id: String) { self.id = id }

    public var command: RedisCommand { RedisCommand("HGET", WebhookRegistry.key, id) }

    public func decode(_ reply: RedisReply) throws -> WebhookRegistration? {
        if let error = WebhookRegistry.failure(reply) { throw error }
        guard case .bulk(let bytes) = reply else { return nil }
        return try WebhookRegistry.decode(bytes)
    }
}

/// How many webhooks there are.
public struct WebhookCount: StoreCommand {
    public init() {}

    public var command: RedisCommand { RedisCommand("HLEN", WebhookRegistry.key) }

    public func decode(_ reply: RedisReply) throws -> Int {
        if let error = WebhookRegistry.failure(reply) { throw error }
        return Int(reply.integer ?? 0)
    }
}

/// Removes a webhook from the registry; true when it was there. Its deliveries are dropped project by project
/// afterwards (`DropWebhookDeliveries`).
public struct UnregisterWebhook: StoreCommand {
    public var id: String

    public init(id: String) { self.id = id }

    public var command: RedisCommand { RedisCommand("HDEL", WebhookRegistry.key, id) }

    public func decode(_ reply: RedisReply) throws -> Bool {
        if let error = WebhookRegistry.failure(reply) { throw error }
        return reply.integer == 1
    }
}

/// Redis's clock, in milliseconds since 1970: the clock stream ids and the functions use.
public struct RedisClock: StoreCommand {
    public init() {}

    public var command: RedisCommand { RedisCommand("TIME") }

    public func decode(_ reply: RedisReply) throws -> UInt64 {
        if let error = WebhookRegistry.failure(reply) { throw error }
        let parts = (reply.array ?? []).compactMap { $0.string.flatMap { UInt64($0) } }
        guard parts.count == 2 else { throw StoreError(.unexpectedReply, "TIME answered \(reply)") }
        return parts[0] * 1000 + parts[1] / 1000
    }
}
