import RedisClient
import RedisTestSupport
import Testing

/// `sendToEveryPrimary`: what each shard needs on its own, such as the function library.
@Suite("Redis Cluster: a command on every primary", .timeLimit(.minutes(2)))
struct ClusterEveryPrimaryTests {
    private static let library = """
        #!lua name=clustertest
        redis.register_function('ct_get', function(keys, args) return redis.call('GET', keys[1]) end)
        """

    @Test func functionLoadReachesEveryPrimary() throws {
        let cluster = try RedisTestCluster()
        defer { cluster.stop() }
        let connection = RedisConnection(cluster.configuration)
        let loaded = try connection.sendToEveryPrimary(RedisCommand("FUNCTION", "LOAD", "REPLACE", Self.library))
        let primaries = try cluster.primaries()
        #expect(loaded.map(\.node).sorted() == primaries.map(\.description).sorted())
        #expect(loaded.allSatisfy { $0.reply == .bulk(Array("clustertest".utf8)) })
        #expect(connection.isCluster)

        for node in primaries {
            let key = try cluster.key(servedBy: node, prefix: "function")
            _ = try connection.send(RedisCommand("SET", key, "on \(node)"))
            #expect(try connection.send(RedisCommand("FCALL", "ct_get", "1", key)).string == "on \(node)")
        }
        let listed = try connection.sendToEveryPrimary(RedisCommand("FUNCTION", "LIST", "LIBRARYNAME", "clustertest"))
        #expect(listed.count == 3)
        #expect(listed.allSatisfy { $0.reply.array?.count == 1 })
    }

    /// A single Redis answers the probe with "cluster support disabled": the command goes out once.
    @Test func singleRedisGetsTheCommandOnce() throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let connection = server.connect()
        let loaded = try connection.sendToEveryPrimary(RedisCommand("FUNCTION", "LOAD", Self.library))
        #expect(loaded.count == 1)
        #expect(loaded.first?.node == "127.0.0.1:\(server.port)")
        #expect(loaded.first?.reply == .bulk(Array("clustertest".utf8)))
        #expect(!connection.isCluster)

        let again = try connection.sendToEveryPrimary(RedisCommand("FUNCTION", "LOAD", Self.library))
        #expect(again.first?.reply.isError == true)  // the library exists: error replies stay in place
        let stats = try server.connect().send(RedisCommand("INFO", "commandstats")).string ?? ""
        #expect(stats.contains("cmdstat_function|load:calls=2,"))
    }
}

extension RedisReply {
    var isError: Bool {
        if case .error = self { return true }
        return false
    }
}
