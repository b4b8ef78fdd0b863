import RedisClient

/// The pub/sub commands a subscriber sends: every message on these channels is only a wake-up (what happened is
/// read from the stream or the records), so the channels' names stay the store's business.
public enum Subscription {
    /// Follows a project's live channel, which every committed change wakes.
    public static func live(_ scope: ProjectScope) -> RedisCommand { RedisCommand("SSUBSCRIBE", scope.liveChannel) }

    /// Stops following a project's live channel.
    public static func stopLive(projectId: String) -> RedisCommand {
        RedisCommand("SUNSUBSCRIBE", ProjectScope.liveChannel(of: projectId))
    }

    /// Follows a session's control channel, which wakes its supervisor when a user stops or restarts it.
    public static func control(_ scope: ProjectScope, sessionId: String) -> RedisCommand {
        RedisCommand("SSUBSCRIBE", scope.controlChannel(of: sessionId))
    }
}
