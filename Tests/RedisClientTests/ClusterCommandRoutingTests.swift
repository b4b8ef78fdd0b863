import RedisClient
import Testing

/// Which argument of a command decides its cluster node (`RedisCommand.routingKey`).
@Suite("Cluster command routing")
struct ClusterCommandRoutingTests {
    private func key(_ arguments: String...) -> String? {
        RedisCommand(arguments[0], Array(arguments.dropFirst())).routingKey.map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func functionsAndScriptsRouteByTheirFirstKey() {
        #expect(key("FCALL", "maestro_update", "1", "mae:{p}:events", "v1", "x") == "mae:{p}:events")
        #expect(key("fcall_ro", "maestro_get", "2", "mae:{p}:a", "mae:{p}:b") == "mae:{p}:a")
        #expect(key("EVAL", "return 1", "1", "k") == "k")
        #expect(key("EVALSHA", "abc", "1", "k", "arg") == "k")
        #expect(key("FCALL", "maestro_version", "0") == nil)
        #expect(key("EVAL", "return 1", "0", "not-a-key") == nil)
        #expect(key("FCALL", "f", "x", "k") == nil)  // a malformed numkeys: the server will refuse it anywhere
    }

    @Test func shardChannelsRouteByTheChannel() {
        #expect(key("SSUBSCRIBE", "mae:{p}:live") == "mae:{p}:live")
        #expect(key("SPUBLISH", "mae:{p}:live", "hello") == "mae:{p}:live")
        #expect(key("SUNSUBSCRIBE", "mae:{p}:live") == "mae:{p}:live")
        #expect(key("SUNSUBSCRIBE") == nil)
        // Each node counts only its own shard subscribers: ask the channel's owner.
        #expect(key("PUBSUB", "SHARDNUMSUB", "mae:{p}:live") == "mae:{p}:live")
        #expect(key("PUBSUB", "SHARDCHANNELS") == nil)
    }

    @Test func keyCommandsRouteByArgumentOne() {
        for name in [
            "GET", "SET", "HGET", "HSET", "XADD", "XRANGE", "XREVRANGE", "XLEN", "DEL", "EXISTS", "TYPE",
            "DUMP", "HGETALL", "ZADD", "ZRANGE", "INCR", "EXPIRE", "TTL", "get", "Xadd",
        ] {
            #expect(key(name, "mae:{p}:k", "v") == "mae:{p}:k", "\(name)")
        }
        #expect(key("XREAD", "COUNT", "5", "STREAMS", "mae:{p}:events", "0") == "mae:{p}:events")
        #expect(key("XINFO", "STREAM", "mae:{p}:events") == "mae:{p}:events")
    }

    @Test func keylessCommandsGoToTheCurrentNode() {
        for command in [
            ["PING"], ["INFO", "server"], ["FUNCTION", "LOAD", "REPLACE", "#!lua name=x"], ["CLUSTER", "SLOTS"],
            ["CONFIG", "GET", "maxmemory"], ["ACL", "WHOAMI"], ["AUTH", "pw"], ["HELLO", "2"], ["CLIENT", "ID"],
            ["SELECT", "0"], ["SUBSCRIBE", "c"], ["PSUBSCRIBE", "mae:{*}:live"], ["PUBLISH", "c", "m"],
            ["SCAN", "0", "MATCH", "mae:*"], ["DBSIZE"], ["FLUSHALL"], ["SHUTDOWN"], ["WAIT", "1", "0"],
            ["KEYS", "*"], ["MULTI"],
        ] {
            #expect(RedisCommand(command[0], Array(command.dropFirst())).routingKey == nil, "\(command)")
            #expect(RedisCommand(command[0], Array(command.dropFirst())).hashSlot == nil)
        }
    }

    @Test func hashSlotIsTheKeysSlot() {
        #expect(RedisCommand("GET", "foo").hashSlot == 12182)
        #expect(RedisCommand("FCALL", "f", "1", "mae:{p}:events").hashSlot == HashSlot.of("p"))
    }
}
