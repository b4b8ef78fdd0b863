extension RedisCommand {
    /// The key (or shard channel) that decides which cluster node serves this command; nil for a keyless command,
    /// which goes to whichever node the connection is on.
    ///
    /// The table is small on purpose — a command routed by the wrong argument still works, because the node that
    /// receives it answers `-MOVED` and the connection follows, at the cost of one extra round trip:
    ///
    /// | commands | routed by |
    /// |---|---|
    /// | `FCALL`, `FCALL_RO`, `EVAL`, `EVAL_RO`, `EVALSHA`, `EVALSHA_RO` | the first key after `numkeys`; none when `numkeys` is 0 |
    /// | `SSUBSCRIBE`, `SUNSUBSCRIBE`, `SPUBLISH` | the (first) shard channel |
    /// | `XREAD`, `XREADGROUP` | the first key after `STREAMS` |
    /// | `OBJECT`, `XINFO`, `XGROUP`, `MEMORY`, `PUBSUB` | argument 2 (after the subcommand), if any: `PUBSUB SHARDNUMSUB` counts only the node's own subscribers |
    /// | server, connection, pub/sub (but `PUBSUB`), scripting-admin and whole-keyspace commands (`PING`, `INFO`, `FUNCTION`, `CLUSTER`, `SUBSCRIBE`, `PUBLISH`, `SCAN`, `KEYS`, `MULTI`, …) | nothing (keyless) |
    /// | everything else (`GET`, `SET`, `HSET`, `XADD`, `XRANGE`, `DEL`, `ZADD`, `EXPIRE`, …) | argument 1, if any |
    ///
    /// Multi-key commands are routed by their first key; Redis Cluster refuses them (`-CROSSSLOT`) unless every key
    /// shares its slot, which Maestro's `{project}` hash tags guarantee.
    public var routingKey: [UInt8]? {
        let name = String(decoding: arguments[0], as: UTF8.self).uppercased()
        let position: Int?
        switch Self.routing[name] ?? .argument(1) {
        case .keyless:
            return nil
        case .argument(let index):
            position = index
        case .afterNumkeys:
            guard arguments.count > 3, let count = Int(String(decoding: arguments[2], as: UTF8.self)), count > 0
            else { return nil }
            position = 3
        case .afterStreams:
            position = arguments.firstIndex { String(decoding: $0, as: UTF8.self).uppercased() == "STREAMS" }
                .map { $0 + 1 }
        }
        guard let position, position < arguments.count else { return nil }
        return arguments[position]
    }

    /// The hash slot of `routingKey`; nil for a keyless command.
    public var hashSlot: Int? { routingKey.map { HashSlot.of($0) } }

    /// Where a command's routing key is.
    private enum KeyPosition {
        case keyless
        case argument(Int)
        case afterNumkeys
        case afterStreams
    }

    private static let routing: [String: KeyPosition] = {
        var table: [String: KeyPosition] = [:]
        for name in ["FCALL", "FCALL_RO", "EVAL", "EVAL_RO", "EVALSHA", "EVALSHA_RO"] { table[name] = .afterNumkeys }
        for name in ["XREAD", "XREADGROUP"] { table[name] = .afterStreams }
        for name in ["OBJECT", "XINFO", "XGROUP", "MEMORY", "PUBSUB"] { table[name] = .argument(2) }
        let keyless = [
            // connection and server
            "PING", "ECHO", "AUTH", "HELLO", "CLIENT", "SELECT", "QUIT", "RESET", "INFO", "CONFIG", "ACL", "COMMAND",
            "TIME", "ROLE", "DBSIZE", "FLUSHALL", "FLUSHDB", "SHUTDOWN", "SAVE", "BGSAVE", "BGREWRITEAOF",
            "LASTSAVE", "WAIT", "DEBUG", "MONITOR", "SLOWLOG", "LATENCY", "MODULE", "SWAPDB", "REPLICAOF", "SLAVEOF",
            "FAILOVER", "LOLWUT",
            // cluster
            "CLUSTER", "READONLY", "READWRITE", "ASKING",
            // scripting administration
            "FUNCTION", "SCRIPT",
            // classic pub/sub (a cluster forwards PUBLISH to every node)
            "SUBSCRIBE", "UNSUBSCRIBE", "PSUBSCRIBE", "PUNSUBSCRIBE", "PUBLISH",
            // the whole keyspace of one node, and transactions
            "SCAN", "KEYS", "RANDOMKEY", "MULTI", "EXEC", "DISCARD", "UNWATCH",
        ]
        for name in keyless { table[name] = .keyless }
        return table
    }()
}
