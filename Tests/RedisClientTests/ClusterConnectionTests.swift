import RedisClient
import RedisTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// One `RedisConnection` given one node's address, against a real 3-primary cluster: discovery, routing, pipelines
/// and every kind of redirect.
@Suite("Redis Cluster connection")
struct ClusterConnectionTests {
    @Test func oneNodesAddressReachesEverySlot() throws {
        let starting = ContinuousClock.now
        let cluster = try RedisTestCluster()
        defer { cluster.stop() }
        print("cluster: 3 primaries started in \(ContinuousClock.now - starting)")
        let connection = RedisConnection(cluster.configuration(of: cluster.nodes[1]))
        #expect(!connection.isCluster)

        let keys = (0..<200).map { "key-\($0)" }
        for key in keys { #expect(try connection.send(RedisCommand("SET", key, "value of \(key)")) == .status("OK")) }
        #expect(connection.isCluster)
        for key in keys { #expect(try connection.send(RedisCommand("GET", key)).string == "value of \(key)") }

        // Each key sits on its slot's primary, and all three primaries got some.
        var owners = Set<Int>()
        for key in keys.prefix(30) {
            let slot = HashSlot.of(key)
            let owner = try cluster.primary(forSlot: slot)
            owners.insert(owner.port)
            let count = try cluster.admin(owner).send(RedisCommand("CLUSTER", "COUNTKEYSINSLOT", String(slot)))
            #expect(count.integer ?? 0 >= 1)
        }
        #expect(owners.count == 3)
        // Only the first command was redirected: after it, the connection knew the map.
        #expect(try cluster.errorCount("MOVED") == 1)
    }

    /// Sockets to nodes learnt from the cluster log in with the configured credentials, like the first one.
    @Test func learntNodesGetTheSameCredentials() throws {
        let cluster = try RedisTestCluster(password: "cluster-secret")
        defer { cluster.stop() }
        let connection = RedisConnection(cluster.configuration)
        let keys = try cluster.primaries().map { try cluster.key(servedBy: $0, prefix: "guarded") }
        #expect(try connection.pipeline(keys.map { RedisCommand("SET", $0, "v") }) == keys.map { _ in .status("OK") })
        #expect(connection.isCluster)
        try cluster.moveSlot(HashSlot.of(keys[0]), to: try cluster.primaries()[1])
        #expect(try connection.send(RedisCommand("GET", keys[0])).string == "v")

        let anonymous = RedisConnection(RedisConfiguration(endpoint: cluster.nodes[0].endpoint))
        let refused = try #require(throws: RedisError.self) { try anonymous.send(RedisCommand("GET", keys[1])) }
        #expect(refused.code == .server)
        #expect(refused.message.hasPrefix("NOAUTH"))
    }

    @Test func pipelineAcrossThreeNodesKeepsReplyOrder() throws {
        let cluster = try RedisTestCluster()
        defer { cluster.stop() }
        let keys = (0..<60).map { "pipelined-\($0)" }
        #expect(Set(try keys.map { try cluster.primary(forSlot: HashSlot.of($0)).port }).count == 3)

        // First on a connection that does not know yet that it talks to a cluster, then on one that does.
        let connection = RedisConnection(cluster.configuration)
        for round in 0..<2 {
            var commands: [RedisCommand] = []
            var expected: [RedisReply] = []
            for (index, key) in keys.enumerated() {
                commands.append(RedisCommand("SET", key, "\(round)-\(index)"))
                expected.append(.status("OK"))
                commands.append(RedisCommand("APPEND", key, "!"))
                expected.append(.integer(Int64("\(round)-\(index)!".utf8.count)))
                commands.append(RedisCommand("HSET", key, "field", "x"))
                expected.append(.error("WRONGTYPE Operation against a key holding the wrong kind of value"))
                commands.append(RedisCommand("GET", key))
                expected.append(.bulk(Array("\(round)-\(index)!".utf8)))
            }
            commands.append(RedisCommand("PING"))
            expected.append(.status("PONG"))
            #expect(try connection.pipeline(commands) == expected)
            #expect(connection.isCluster)
        }
    }

    @Test func movedAfterASlotMoveTeachesTheNewOwner() throws {
        let cluster = try RedisTestCluster()
        defer { cluster.stop() }
        let connection = RedisConnection(cluster.configuration)
        let key = "{moving}key"
        let slot = HashSlot.of(key)
        #expect(try connection.send(RedisCommand("SET", key, "before the move")) == .status("OK"))
        let filler = (0..<999).map { RedisCommand("SET", "{moving}filler-\($0)", String(repeating: "x", count: 100)) }
        #expect(try connection.pipeline(filler).allSatisfy { $0 == .status("OK") })
        let source = try cluster.primary(forSlot: slot)
        let target = try #require(try cluster.primaries().first { $0 != source })
        let movedBefore = try cluster.errorCount("MOVED")

        let moving = ContinuousClock.now
        try cluster.moveSlot(slot, to: target)
        print("reshard: one slot with 1000 keys moved live in \(ContinuousClock.now - moving)")
        #expect(try cluster.primary(forSlot: slot) == target)

        #expect(try connection.send(RedisCommand("GET", key)).string == "before the move")
        for _ in 0..<50 { #expect(try connection.send(RedisCommand("GET", key)).string == "before the move") }
        #expect(try connection.send(RedisCommand("SET", key, "after the move")) == .status("OK"))
        #expect(try cluster.errorCount("MOVED") == movedBefore + 1)
        let count = try cluster.admin(target).send(RedisCommand("CLUSTER", "COUNTKEYSINSLOT", String(slot)))
        #expect(count == .integer(1000))
    }

    /// A slot half-way through migration: the source answers for keys it still has and says `-ASK` for the others
    /// (and for new keys); the connection asks the target for those without changing its map.
    @Test func askDuringAHalfMigratedSlot() throws {
        let cluster = try RedisTestCluster()
        defer { cluster.stop() }
        let connection = RedisConnection(cluster.configuration)
        let slot = HashSlot.of("{ask}")
        #expect(
            try connection.pipeline([RedisCommand("SET", "{ask}a", "A"), RedisCommand("SET", "{ask}b", "B")])
                == [.status("OK"), .status("OK")])
        let source = try cluster.primary(forSlot: slot)
        let target = try #require(try cluster.primaries().first { $0 != source })

        try cluster.beginSlotMigration(slot, to: target)
        try cluster.migrateKeys(["{ask}a"], inSlot: slot, to: target)
        let (askBefore, movedBefore) = (try cluster.errorCount("ASK"), try cluster.errorCount("MOVED"))

        #expect(try connection.send(RedisCommand("GET", "{ask}a")).string == "A")  // on the target: ASK
        #expect(try connection.send(RedisCommand("GET", "{ask}b")).string == "B")  // still on the source
        #expect(try connection.send(RedisCommand("SET", "{ask}c", "C")) == .status("OK"))  // new key: the target
        #expect(
            try connection.pipeline([RedisCommand("GET", "{ask}c"), RedisCommand("GET", "{ask}b")])
                == [.bulk(Array("C".utf8)), .bulk(Array("B".utf8))])
        #expect(try cluster.errorCount("ASK") == askBefore + 3)
        #expect(try cluster.errorCount("MOVED") == movedBefore)
        let onTarget = try cluster.admin(target).send(RedisCommand("CLUSTER", "COUNTKEYSINSLOT", String(slot)))
        #expect(onTarget == .integer(2))

        try cluster.migrateKeys(inSlot: slot, to: target)
        try cluster.completeSlotMigration(slot, to: target)
        let all = try connection.pipeline(["{ask}a", "{ask}b", "{ask}c"].map { RedisCommand("GET", $0) })
        #expect(all.map(\.string) == ["A", "B", "C"])
    }

    /// A multi-key command over a slot whose keys are split between source and target gets `-TRYAGAIN` until
    /// the migration ends; the connection waits, within its connect timeout.
    @Test func tryAgainWaitsForTheMigrationToEnd() throws {
        let cluster = try RedisTestCluster()
        defer { cluster.stop() }
        let connection = RedisConnection(cluster.configuration)
        _ = try connection.pipeline([RedisCommand("SET", "{try}a", "A"), RedisCommand("SET", "{try}b", "B")])
        let slot = HashSlot.of("{try}")
        let source = try cluster.primary(forSlot: slot)
        let target = try #require(try cluster.primaries().first { $0 != source })
        try cluster.beginSlotMigration(slot, to: target)
        try cluster.migrateKeys(["{try}a"], inSlot: slot, to: target)

        var impatient = cluster.configuration
        impatient.connectTimeout = .milliseconds(300)
        let started = ContinuousClock.now
        let error = try #require(throws: RedisError.self) {
            try RedisConnection(impatient).send(RedisCommand("MGET", "{try}a", "{try}b"))
        }
        #expect(error.code == .connectionFailed)
        #expect(error.message.contains("TRYAGAIN"))
        #expect(ContinuousClock.now - started < .seconds(3))

        // The migration ends only once the connection has met a TRYAGAIN of its own, so it really waited.
        let tryAgainBefore = try cluster.errorCount("TRYAGAIN")
        let finisher = PosixThread.start {
            _ = try? Self.poll { try cluster.errorCount("TRYAGAIN") > tryAgainBefore }
            try? cluster.migrateKeys(inSlot: slot, to: target)
            try? cluster.completeSlotMigration(slot, to: target)
        }
        defer { pthread_join(finisher, nil) }
        let values = try connection.send(RedisCommand("MGET", "{try}a", "{try}b"))
        #expect(values == .array([.bulk(Array("A".utf8)), .bulk(Array("B".utf8))]))
        #expect(try cluster.errorCount("TRYAGAIN") > tryAgainBefore)
    }

    /// A slot nobody serves makes the cluster answer `-CLUSTERDOWN`; the connection waits until it is served again.
    @Test func clusterDownWaitsUntilTheSlotIsServedAgain() throws {
        let cluster = try RedisTestCluster()
        defer { cluster.stop() }
        let connection = RedisConnection(cluster.configuration)
        let key = "down-key"
        let slot = HashSlot.of(key)
        #expect(try connection.send(RedisCommand("SET", key, "kept")) == .status("OK"))
        let owner = try cluster.primary(forSlot: slot)
        for node in [owner] + cluster.nodes.filter({ $0 != owner }) {
            _ = try cluster.admin(node).send(RedisCommand("CLUSTER", "DELSLOTS", String(slot)))
        }
        // The slot is served again only once the connection has met a CLUSTERDOWN, so it really waited.
        let restorer = PosixThread.start {
            _ = try? Self.poll { try cluster.errorCount("CLUSTERDOWN") > 0 }
            _ = try? cluster.admin(owner).send(RedisCommand("CLUSTER", "ADDSLOTS", String(slot)))
        }
        defer { pthread_join(restorer, nil) }

        #expect(try connection.send(RedisCommand("GET", key)).string == "kept")
        #expect(try cluster.errorCount("CLUSTERDOWN") >= 1)
    }

    /// Polls `condition` every 5 ms for up to 10 s, from a thread of the test's own; whether it held.
    private static func poll(_ condition: () throws -> Bool) throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            usleep(5_000)
        }
        return false
    }

    /// On a single Redis the connection sends exactly what it is given: no cluster probe, no extra round trip.
    @Test func singleRedisSeesOnlyTheCommandsSent() throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let connection = server.connect()
        #expect(try connection.send(RedisCommand("SET", "k", "v")) == .status("OK"))
        #expect(try connection.send(RedisCommand("GET", "k")).string == "v")
        #expect(!connection.isCluster)

        let stats = try server.connect().send(RedisCommand("INFO", "commandstats")).string ?? ""
        let commands = stats.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("cmdstat_") }
            .map { $0.split(separator: ":")[0] }
        #expect(Set(commands).isSubset(of: ["cmdstat_set", "cmdstat_get", "cmdstat_ping"]))  // PING: the test's probe
        #expect(stats.contains("cmdstat_set:calls=1,") && stats.contains("cmdstat_get:calls=1,"))
    }
}
