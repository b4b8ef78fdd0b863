import MaestroDomain
import RedisClient

/// The Redis commands a client of the function library needs, in one place: what `deploy/users.acl` grants the
/// writers, and what `maestro setup --agent-user` gives an agent confined to one project.
///
/// Redis checks every command a function runs against its caller's ACL, so a caller needs the functions' data
/// commands too; each writing call checks them up front (`Lua/register.lua`) and is refused before its first write
/// when one is missing.
public enum RedisPermissions {
    /// Every command the functions run, lower-case as ACL rules name them.
    public static let functionCommands = [
        "time", "exists", "get", "set", "del", "incr", "hget", "hmget", "hgetall", "hset", "hdel", "hincrby", "lrange",
        "lpos", "rpush", "lpush", "ltrim", "lrem", "sadd", "srem", "scard", "zadd", "zrem", "zscore", "zrange",
        "zrangebyscore", "zcount", "zcard", "xadd", "xrevrange", "spublish",
    ]

    /// Every command the webhook functions run (`webhooks.commands` in Lua/webhook_intake.lua), plus what a delivering
    /// server runs itself: reading the streams through the consumer group and the webhook registry. Only
    /// maestro-server needs them.
    public static let webhookCommands = [
        "time", "exists", "del", "expire", "persist", "hget", "hgetall", "hset", "hdel", "hincrby", "sadd", "srem",
        "smembers", "zadd", "zrem", "zscore", "zcard", "zrange", "zrevrange", "zrangebyscore", "zremrangebyrank",
        "xrange", "xack", "xpending", "xgroup|create", "xgroup|setid", "xgroup|delconsumer", "xinfo|groups",
        "xinfo|consumers", "xreadgroup", "xautoclaim", "hsetnx", "hlen",
    ]

    /// What a function-library client needs besides: the calls themselves, the live channel's wake-ups (`task
    /// answer --wait`, `maestro run`'s control channel), and a cluster's slot map.
    public static let clientCommands = [
        "ping", "select", "fcall", "fcall_ro", "ssubscribe", "sunsubscribe", "cluster|slots", "cluster|shards",
        "asking",
    ]

    /// The `ACL SETUSER <name>` rules of an agent confined to project `projectId`: the function library's commands on
    /// that project's keys and channels only, plus adding to the sets of known and of supervised projects (what
    /// `maestro task create`, `session create` and `maestro run` do first). `password` is given in clear; Redis stores its SHA-256.
    public static func agentRules(projectId: String, password: String) throws(MaestroError) -> [String] {
        let scope = try ProjectScope(projectId: projectId)
        return [
            "reset", "on", ">" + password, "~" + scope.keyPrefix + "*", "&" + scope.keyPrefix + "*", "-@all",
        ]
            + (clientCommands + functionCommands).map { "+" + $0 }
            + ["(~\(ProjectScope.supervisedProjectsKey) ~\(ProjectRegistry.key) +sadd)"]
    }

    /// `ACL SETUSER name` with `agentRules(projectId:password:)`: creates the user, or resets one of that name.
    public static func setAgentUser(name: String, projectId: String, password: String) throws(MaestroError)
        -> RedisCommand
    {
        let rules = try agentRules(projectId: projectId, password: password)
        return RedisCommand(arguments: (["ACL", "SETUSER", name] + rules).map { Array($0.utf8) })
    }
}
