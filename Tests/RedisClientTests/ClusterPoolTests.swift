import RedisClient
import RedisTestSupport
import Testing

/// `RedisConnectionPool` over a cluster: every pooled connection discovers it by itself.
@Suite("Redis Cluster through the connection pool", .timeLimit(.minutes(2)))
struct ClusterPoolTests {
    /// 400 concurrent callers over 40 keys in many slots; every INCR must land exactly once.
    @Test func concurrentCallersOverManySlots() async throws {
        let cluster = try RedisTestCluster()
        defer { cluster.stop() }
        let pool = RedisConnectionPool(configuration: cluster.configuration, size: 4)
        defer { pool.shutdown() }
        let keys = (0..<40).map { "pooled-\($0)" }

        let replies = try await withThrowingTaskGroup(of: [RedisReply].self) { group in
            for index in 0..<400 {
                let key = keys[index % keys.count]
                group.addTask {
                    try await pool.send([RedisCommand("INCR", key), RedisCommand("SADD", "\(key):callers", "\(index)")])
                }
            }
            var all: [[RedisReply]] = []
            for try await replies in group { all.append(replies) }
            return all
        }
        #expect(replies.count == 400)
        #expect(replies.allSatisfy { $0.count == 2 && $0[0].integer != nil && $0[1] == .integer(1) })

        let check = RedisConnection(cluster.configuration)
        let counts = try check.pipeline(keys.map { RedisCommand("GET", $0) })
        #expect(counts.map(\.integer) == Array(repeating: 10, count: keys.count))
        let owners = Set(try keys.map { try cluster.primary(forSlot: HashSlot.of($0)).port })
        #expect(owners.count == 3)
        let probe = try await pool.withConnection { connection in
            (connection.isCluster, try connection.send(RedisCommand("GET", keys[0])))
        }
        #expect(probe.0)
        #expect(probe.1.integer == 10)
    }
}
