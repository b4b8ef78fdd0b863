import MaestroDomain
import RedisClient

extension CLIEnvironment {
    /// A Redis connection for commands that only work on Redis directly (migrate, export, import): refused when
    /// only MAESTRO_URL is set, rather than quietly using the default Redis.
    func directConnection(for command: String) throws -> RedisConnection {
        if !redisURLGiven && maestroURL != nil {
            throw MaestroError(
                .invalidInput,
                "maestro \(command) works on Redis directly: set MAESTRO_REDIS_URL (MAESTRO_URL is not enough)")
        }
        return try connection()
    }
}
