import RedisClient

/// Checks an external Redis before the server relies on it: version 7 or newer (functions), and
/// `maxmemory-policy noeviction` (evicting keys would silently lose tasks and events).
public enum RedisPreflight {
    public static func check(_ connection: RedisConnection) throws {
        let info = try connection.send(RedisCommand("INFO", "server")).string ?? ""
        let version =
            info.split(whereSeparator: \.isNewline)
            .first { $0.hasPrefix("redis_version:") }.map { String($0.dropFirst("redis_version:".count)) } ?? "unknown"
        guard let major = Int(version.prefix { $0 != "." }), major >= 7 else {
            throw RedisError(.server, "Redis \(version) is too old: Maestro needs Redis 7 or newer (functions)")
        }
        let memory = try connection.send(RedisCommand("INFO", "memory")).string ?? ""
        let policy = memory.split(whereSeparator: \.isNewline)
            .first { $0.hasPrefix("maxmemory_policy:") }.map { String($0.dropFirst("maxmemory_policy:".count)) }
        guard policy == "noeviction" else {
            throw RedisError(
                .server,
                "Redis has maxmemory-policy \(policy ?? "unknown"); Maestro needs noeviction, or evicted keys would "
                    + "silently lose tasks and events (CONFIG SET maxmemory-policy noeviction)")
        }
    }
}
