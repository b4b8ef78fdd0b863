import MaestroDomain
import RedisClient

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Reads function replies: JSON bodies into values, error replies into typed errors.
enum StoreReply {
    /// How long to wait before resending a call refused during a slot migration.
    static let slotMigrationBackoff = Duration.milliseconds(10)

    /// Whether Redis refused a function call because a key it touched is in a slot being migrated (the library's
    /// slot guard makes that happen before any write).
    static func isRefusedDuringSlotMigration(_ reply: RedisReply) -> Bool {
        guard case .error(let message) = reply else { return false }
        return message.hasPrefix("ERR Script attempted to access a non local key in a cluster node")
    }

    /// Decodes a bulk JSON reply.
    static func decode<Value: Decodable>(_ type: Value.Type, from reply: RedisReply) throws -> Value {
        guard case .bulk(let bytes) = reply else {
            throw StoreError(.unexpectedReply, "expected a JSON reply from Redis, got \(reply)")
        }
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw StoreError(.unexpectedReply, "cannot read the reply from Redis: \(error)")
        }
    }

    /// The typed response of an operation's reply, or the typed error an error reply stands for.
    static func response<Operation: StoreOperation>(
        to operation: Operation, _ reply: RedisReply
    ) throws -> Operation.Response {
        if case .error(let message) = reply { throw error(from: message) }
        return try operation.decode(reply)
    }

    /// Turns a Redis error reply into the typed error it stands for.
    ///
    /// The library's refusals look like `CODE {"message":…,"current":…,"allowed":[…]} script: …`.
    static func error(from message: String) -> any Error {
        let code = message.prefix { $0 != " " }
        if message.contains("Function not found") {
            return StoreError(
                .libraryMissing,
                "the Maestro function library is not loaded in Redis; load it with `maestro setup`"
            )
        }
        guard let open = message.firstIndex(of: "{"), let close = message.lastIndex(of: "}"), open < close else {
            return RedisError(.server, message)
        }
        struct Body: Decodable {
            var message: String
            var current: String?
            var allowed: [String]?
        }
        guard let body = try? JSONDecoder().decode(Body.self, from: Data(message[open...close].utf8)) else {
            return RedisError(.server, message)
        }
        if code == "STALE_LIBRARY" { return StoreError(.staleLibrary, body.message) }
        return MaestroError(MaestroError.Code(String(code)), body.message, current: body.current, allowed: body.allowed)
    }
}
