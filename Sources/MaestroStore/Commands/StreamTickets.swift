import MaestroDomain
import RedisClient

/// Short-lived, single-use tickets that open a live stream (`/ws`, `/events`) in place of the user token, so the
/// token never travels in a URL. The API server issues one (`POST /api/stream-tickets`); whichever relay the
/// stream is opened at redeems it: the first redemption deletes it.
///
/// A ticket is a key `mae:stream-ticket:<ticket>` that expires by itself; it lives outside every project's slot.
public enum StreamTickets {
    /// How long a ticket stays redeemable.
    public static let lifetime = Duration.seconds(60)

    static func key(_ ticket: String) -> String { "mae:stream-ticket:" + ticket }

    /// Whether `text` looks like a ticket this server issues (`mtk_` and 64 hex digits): anything else is refused
    /// without a Redis call.
    public static func isWellFormed(_ text: String) -> Bool {
        text.utf8.count == 68 && text.hasPrefix("mtk_")
            && text.utf8.dropFirst(4).allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}

/// Stores a fresh ticket until it expires.
public struct IssueStreamTicket: StoreCommand {
    /// The ticket to hand to the client.
    public let ticket: String

    public init() { ticket = "mtk_" + RandomIdentifier.token().dropFirst(4) }

    public var command: RedisCommand {
        RedisCommand(
            "SET", StreamTickets.key(ticket), "1", "EX", String(StreamTickets.lifetime.components.seconds), "NX")
    }

    public func decode(_ reply: RedisReply) throws {
        if case .error(let message) = reply { throw RedisError(.server, message) }
        guard reply.string == "OK" else { throw StoreError(.unexpectedReply, "could not store a stream ticket") }
    }
}

/// Redeems a ticket: true the first time, within its lifetime; false when it is unknown, expired or used.
public struct RedeemStreamTicket: StoreCommand {
    public let ticket: String

    public init(_ ticket: String) { self.ticket = ticket }

    public var command: RedisCommand { RedisCommand("GETDEL", StreamTickets.key(ticket)) }

    public func decode(_ reply: RedisReply) throws -> Bool {
        if case .error(let message) = reply { throw RedisError(.server, message) }
        return reply.string == "1"
    }
}
