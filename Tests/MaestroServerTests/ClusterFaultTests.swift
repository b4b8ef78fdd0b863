import Foundation
import MaestroStore
import MaestroTestSupport
import RedisClient
import RedisTestSupport
import Testing

/// A project's slot moved to another primary, and a primary killed, while agents keep updating and a dashboard
/// follows the project over a WebSocket. Each prints its figures.
@Suite("Redis Cluster under change: live resharding and failover")
struct ClusterFaultTests {
    static let writers = 8
    static let steps = 150

    /// How the slot moves: step by step (SETSLOT, one MIGRATE, SETSLOT NODE), or with the operator's tool.
    enum SlotMove: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case stepByStep = "CLUSTER SETSLOT and MIGRATE"
        case redisCLI = "redis-cli --cluster reshard"
        var testDescription: String { rawValue }
    }

    @Test(
        "moving the project's slot to another primary (and back) under load loses and duplicates nothing",
        arguments: SlotMove.allCases)
    func reshardUnderLoad(move: SlotMove) async throws {
        let cluster = try RedisTestCluster(primaries: 3)
        let redis = RedisTestServer(cluster: cluster)
        defer { redis.stop() }
        try await LiveServer.run(sharing: redis) { server in
            let setup = redis.connect()
            // Slot 0, the lowest of its primary's: `redis-cli --cluster reshard --cluster-slots 1` moves exactly it.
            let projectId = try #require(
                (0...1_000_000).lazy.map { "reshard-\($0)" }.first { HashSlot.of("{\($0)}") == 0 })
            let load = try TransitionLoad(projectId: projectId, writers: Self.writers, setup: setup)
            let cursor = try setup.events(in: load.scope, count: 1_000_000).last!.id
            let slot = HashSlot.of(load.scope.eventStream)
            let home = try cluster.primary(forSlot: slot)
            let other = try #require(try cluster.primaries().first { $0 != home })
            func moveSlot(from source: RedisTestCluster.Node, to target: RedisTestCluster.Node) throws {
                switch move {
                case .stepByStep: try cluster.moveSlot(slot, to: target)
                case .redisCLI: try cluster.reshard(from: source, to: target, slots: 1, pipeline: 100_000)
                }
                #expect(try cluster.primary(forSlot: slot) == target)
            }
            // Every step is one event; the first `working` of each task also starts it (one more).
            let expected = Self.writers * Self.steps + Self.writers
            async let received = webSocketMessages(
                port: server.port, query: "projectId=\(projectId)&since=\(cursor)&token=\(LiveServer.userToken)",
                count: expected, timeout: .seconds(120))

            load.start(steps: Self.steps, configuration: redis.configuration)
            load.waitUntilAcknowledged(Self.writers * Self.steps / 3)
            try moveSlot(from: home, to: other)
            let movedAt = load.acknowledgedCount
            load.waitUntilAcknowledged(Self.writers * Self.steps * 2 / 3)
            try moveSlot(from: other, to: home)
            #expect(load.wait(), "writers finished")

            let outcome = try load.verify(setup, after: cursor)
            let streamIds = try setup.events(in: load.scope, after: cursor, count: 1_000_000).map(\.id)
            let messageIds = try await received.messages.compactMap { decodeEvent($0)["id"] as? String }
            #expect(outcome.failures.isEmpty, "\(outcome.failures.prefix(3))")
            #expect(outcome.acknowledged == Self.writers * Self.steps)
            #expect(outcome.lost.isEmpty, "acknowledged but missing: \(outcome.lost.prefix(5))")
            #expect(outcome.duplicated == 0 && outcome.found == outcome.acknowledged)
            #expect(outcome.versionsContiguous)
            #expect(messageIds == streamIds, "the WebSocket client got exactly the stream's events, in order")
            let missed = Set(streamIds).subtracting(messageIds).count
            let (moved, ask) = (try cluster.errorCount("MOVED"), try cluster.errorCount("ASK"))
            print(
                "cluster-reshard (\(move.rawValue)): slot \(slot) moved \(home) → \(other) after \(movedAt) and back; "
                    + "\(outcome); WebSocket client: \(messageIds.count) events of \(streamIds.count), missed \(missed), "
                    + "duplicated \(messageIds.count - Set(messageIds).count); MOVED replies \(moved), ASK \(ask)")
        }
    }

    /// Without waiting, each primary has one replica; with MAESTRO_WAIT_REPLICAS=1 two, so that the promoted one still
    /// has a replica to wait for.
    @Test(
        "a primary killed under load: its replica takes over and writes resume by themselves, none twice",
        arguments: [(replicasPerPrimary: 1, replicasPerWrite: 0), (replicasPerPrimary: 2, replicasPerWrite: 1)])
    func failoverUnderLoad(replicasPerPrimary: Int, replicasPerWrite: Int) async throws {
        let cluster = try RedisTestCluster(primaries: 3, replicasPerPrimary: replicasPerPrimary)
        let redis = RedisTestServer(cluster: cluster)
        defer { redis.stop() }
        let setup = redis.connect()
        try FunctionLibrary.install(on: setup)
        let load = try TransitionLoad(projectId: "failover", writers: Self.writers, setup: setup)
        let cursor = try setup.events(in: load.scope, count: 1_000_000).last!.id
        let slot = HashSlot.of(load.scope.eventStream)
        let primary = try cluster.primary(forSlot: slot)
        var configuration = redis.configuration
        // The writers know every node (URL seeds), so losing the one they started from costs nothing extra.
        configuration.additionalEndpoints = cluster.nodes.dropFirst().map(\.endpoint)
        try WriteReplication(replicas: String(replicasPerWrite), timeout: "2").apply(to: &configuration)
        load.start(steps: Self.steps, configuration: configuration)
        load.waitUntilAcknowledged(Self.writers * Self.steps / 3)
        let killedAt = ContinuousClock.now
        let acknowledgedAtKill = load.acknowledgedCount
        cluster.kill(primary)
        let promoted = try cluster.waitForFailover(slot: slot, from: primary)
        let promotedAfter = ContinuousClock.now - killedAt
        #expect(load.wait(), "writers finished: writes resumed by themselves")

        let outcome = try load.verify(RedisConnection(configuration), after: cursor)
        #expect(outcome.failures.isEmpty, "\(outcome.failures.prefix(3))")
        #expect(outcome.acknowledged == Self.writers * Self.steps)
        #expect(outcome.duplicated == 0, "retries with the same idempotency key never apply twice")
        #expect(outcome.versionsContiguous)
        if replicasPerWrite > 0 {
            #expect(outcome.lost.isEmpty, "a write acknowledged after WAIT survives the failover: \(outcome.lost)")
        } else {
            // Asynchronous replication: what the old primary acknowledged in its last moments may not have reached
            // the replica. That window is measured here, not asserted away (docs/scaling.md).
            #expect(outcome.lost.count <= Self.writers, "at most the writes in flight at the kill: \(outcome.lost)")
        }
        print(
            "cluster-failover (\(replicasPerPrimary) replica(s) per primary, MAESTRO_WAIT_REPLICAS=\(replicasPerWrite)): "
                + "primary \(primary) killed after \(acknowledgedAtKill) acknowledgements, replica \(promoted) promoted "
                + "after \(promotedAfter.formatted(.units(allowed: [.milliseconds]))); \(outcome)")
    }
}
