import RedisClient
import RedisTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A primary dies; its replica takes over; the same `RedisConnection` finds the new primary by itself. Writes in
/// flight when it dies fail (`.connectionLost`: they may or may not have applied); later ones wait, within the
/// connect timeout, for the replica's promotion (`.connectionFailed` beyond it) — the caller only retries.
@Suite("Redis Cluster failover", .timeLimit(.minutes(2)))
struct ClusterFailoverTests {
    /// The connection starts on another primary, so it has learnt the map from a `-MOVED`.
    @Test func writesResumeAfterAReplicaTakesOver() throws {
        let starting = ContinuousClock.now
        let cluster = try RedisTestCluster(primaries: 3, replicasPerPrimary: 1)
        defer { cluster.stop() }
        print("failover: a cluster of 3 primaries × 1 replica started in \(ContinuousClock.now - starting)")
        let primaries = try cluster.primaries()
        let connection = RedisConnection(cluster.configuration(of: primaries[1]))
        try Self.killAndKeepWriting(primaries[0], in: cluster, through: connection, case: "connection on another node")
    }

    /// The connection starts on the very primary that is killed, and never needed a redirect before: only the
    /// other nodes listed in its URL (`redis://victim,other,…`) lead it to the cluster.
    @Test func writesResumeWhenTheConfiguredNodeDies() throws {
        let cluster = try RedisTestCluster(primaries: 3, replicasPerPrimary: 1)
        defer { cluster.stop() }
        let victim = try cluster.primaries()[0]
        let others = cluster.nodes.filter { $0 != victim }.map(\.description)
        let configuration = try RedisConfiguration(
            url: "redis://" + ([victim.description] + others).joined(separator: ","))
        let connection = RedisConnection(configuration)
        try Self.killAndKeepWriting(victim, in: cluster, through: connection, case: "connection on the killed node")
    }

    /// Writes to a key of `victim`, kills it, writes on until 50 writes succeeded again, and prints the gap.
    private static func killAndKeepWriting(
        _ victim: RedisTestCluster.Node, in cluster: RedisTestCluster, through connection: RedisConnection,
        case name: String
    ) throws {
        let key = try cluster.key(servedBy: victim, prefix: "failover")
        let elsewhere = try cluster.key(servedBy: try cluster.primaries()[1], prefix: "elsewhere")
        for expected in 1...20 { #expect(try connection.send(RedisCommand("INCR", key)) == .integer(Int64(expected))) }

        let replica = try #require(try cluster.replicas(of: victim).first)
        let promotion = PromotionWatch(replica, in: cluster)
        let killed = ContinuousClock.now
        cluster.kill(victim)
        var failures: [RedisError.Code: Int] = [:]
        var resumed: ContinuousClock.Instant?
        var values: [Int64] = []
        while values.count < 50 && ContinuousClock.now - killed < .seconds(30) {
            do {
                let value = try #require(try connection.send(RedisCommand("INCR", key)).integer)
                if resumed == nil { resumed = .now }
                values.append(value)
            } catch let error as RedisError {
                failures[error.code, default: 0] += 1
            }
        }
        let gap = try #require(resumed) - killed
        let promoted = try #require(promotion.wait()) - killed
        print(
            "failover (\(name)): writes to slot \(HashSlot.of(key)) resumed \(gap) after SIGKILL of its primary; "
                + "the replica was promoted after \(promoted) (cluster-node-timeout 1 s); failed calls meanwhile: "
                + "\(failures.map { "\($0.key) × \($0.value)" })")
        #expect(connection.isCluster)
        #expect(values.count == 50)
        #expect(values == Array(values[0]..<values[0] + 50))  // one connection, in order: no gap, no repeat
        #expect(values[0] >= 1)  // asynchronous replication may lose the last acknowledged writes, never invent any

        #expect(try cluster.waitForFailover(slot: HashSlot.of(key), from: victim) == replica)
        #expect(try connection.send(RedisCommand("INCR", elsewhere)) == .integer(1))
        #expect(try connection.send(RedisCommand("PING")) == .status("PONG"))
    }
}

/// Polls a replica's `ROLE` every 5 ms on a thread of its own and notes when it became a primary.
private final class PromotionWatch: @unchecked Sendable {
    // @unchecked: `promoted` is written by the watching thread before it ends and read after `pthread_join`.
    private var promoted: ContinuousClock.Instant?
    private var thread: pthread_t?

    init(_ replica: RedisTestCluster.Node, in cluster: RedisTestCluster) {
        thread = PosixThread.start { [self] in
            let connection = cluster.admin(replica, timeout: .seconds(1))
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                if let role = try? connection.send(RedisCommand("ROLE")), role.array?.first?.string == "master" {
                    promoted = .now
                    return
                }
                usleep(5_000)
            }
        }
    }

    /// When the replica became a primary; nil if it did not within 30 s.
    func wait() -> ContinuousClock.Instant? {
        if let thread { pthread_join(thread, nil) }
        thread = nil
        return promoted
    }
}
