import Dispatch
import RedisClient
import RedisTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Sharded pub/sub (`SSUBSCRIBE`) through one `RedisConnection`, its channels spread over several primaries.
@Suite("Redis Cluster sharded pub/sub")
struct ClusterSubscriptionTests {
    @Test func oneSubscriberReceivesFromTwoShards() throws {
        let cluster = try RedisTestCluster()
        defer { cluster.stop() }
        let primaries = try cluster.primaries()
        let (first, second) = (try cluster.key(servedBy: primaries[1]), try cluster.key(servedBy: primaries[2]))
        let subscriber = RedisConnection(Self.subscriberConfiguration(cluster))
        #expect(try subscriber.send(RedisCommand("SSUBSCRIBE", first)) == Self.reply("ssubscribe", first, 1))
        #expect(try subscriber.send(RedisCommand("SSUBSCRIBE", second)) == Self.reply("ssubscribe", second, 1))

        let publisher = RedisConnection(cluster.configuration)
        #expect(try publisher.send(RedisCommand("SPUBLISH", first, "to the first")) == .integer(1))
        #expect(try publisher.send(RedisCommand("SPUBLISH", second, "to the second")) == .integer(1))
        var received: [RedisReply] = []
        for _ in 0..<2 { received.append(try #require(try subscriber.receive(timeout: .seconds(5)))) }
        #expect(received.contains(Self.message(first, "to the first")))
        #expect(received.contains(Self.message(second, "to the second")))

        #expect(try publisher.send(RedisCommand("SPUBLISH", second, "blocking")) == .integer(1))
        #expect(try subscriber.receive() == Self.message(second, "blocking"))
        #expect(try subscriber.receive(timeout: .milliseconds(50)) == nil)
    }

    @Test func interruptWakesAReceiverWaitingOnTwoShards() throws {
        let cluster = try RedisTestCluster()
        defer { cluster.stop() }
        let primaries = try cluster.primaries()
        let subscriber = RedisConnection(Self.subscriberConfiguration(cluster))
        for node in primaries.dropFirst() {
            _ = try subscriber.send(RedisCommand("SSUBSCRIBE", try cluster.key(servedBy: node)))
        }
        let shared = SharedConnection(subscriber)
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        PosixThread.detach {
            outcome.record(Result { try shared.connection.receive() })
            done.signal()
        }
        usleep(200_000)  // let it block; an earlier interrupt would end the wait all the same
        let interrupted = ContinuousClock.now
        subscriber.interrupt()
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(ContinuousClock.now - interrupted < .seconds(1))
        #expect(outcome.errorCode == .connectionLost)
    }

    /// Moving a subscribed slot away makes the old owner send `sunsubscribe`, delivered like a message; a new
    /// SSUBSCRIBE of the channel reaches the new owner and receives from there.
    @Test func movedSlotUnsubscribesAndResubscribingReachesTheNewOwner() throws {
        let cluster = try RedisTestCluster()
        defer { cluster.stop() }
        let primaries = try cluster.primaries()
        let (moving, staying) = (try cluster.key(servedBy: primaries[1]), try cluster.key(servedBy: primaries[2]))
        let subscriber = RedisConnection(Self.subscriberConfiguration(cluster))
        _ = try subscriber.pipeline([RedisCommand("SSUBSCRIBE", moving), RedisCommand("SSUBSCRIBE", staying)])

        try cluster.moveSlot(HashSlot.of(moving), to: primaries[0])
        #expect(try subscriber.receive(timeout: .seconds(5)) == Self.reply("sunsubscribe", moving, 0))
        #expect(try subscriber.send(RedisCommand("SSUBSCRIBE", moving)) == Self.reply("ssubscribe", moving, 1))

        let publisher = RedisConnection(cluster.configuration)
        #expect(try publisher.send(RedisCommand("SPUBLISH", moving, "from the new owner")) == .integer(1))
        #expect(try subscriber.receive(timeout: .seconds(5)) == Self.message(moving, "from the new owner"))
        #expect(try publisher.send(RedisCommand("SPUBLISH", staying, "still here")) == .integer(1))
        #expect(try subscriber.receive(timeout: .seconds(5)) == Self.message(staying, "still here"))
        let onNewOwner = try cluster.admin(primaries[0]).send(RedisCommand("PUBSUB", "SHARDNUMSUB", moving))
        #expect(onNewOwner == .array([.bulk(Array(moving.utf8)), .integer(1)]))
    }

    /// A subscriber waits for ever between messages, as the relay's does.
    static func subscriberConfiguration(_ cluster: RedisTestCluster) -> RedisConfiguration {
        var configuration = cluster.configuration
        configuration.commandTimeout = .zero
        return configuration
    }

    static func reply(_ kind: String, _ channel: String, _ count: Int64) -> RedisReply {
        .array([.bulk(Array(kind.utf8)), .bulk(Array(channel.utf8)), .integer(count)])
    }

    static func message(_ channel: String, _ text: String) -> RedisReply {
        .array([.bulk(Array("smessage".utf8)), .bulk(Array(channel.utf8)), .bulk(Array(text.utf8))])
    }
}

/// Hands a connection to a second thread that only calls `receive` while the test thread only calls `interrupt`.
struct SharedConnection: @unchecked Sendable {
    // @unchecked: `interrupt()` is the one call RedisConnection allows from another thread.
    let connection: RedisConnection
    init(_ connection: RedisConnection) { self.connection = connection }
}

/// What a receiving thread ended with.
final class Outcome: @unchecked Sendable {
    // @unchecked: written once by the receiving thread before it signals, read after the wait.
    private var result: Result<RedisReply, any Error>?

    func record(_ result: Result<RedisReply, any Error>) { self.result = result }

    /// The RedisError code the receive ended with, nil when it returned a reply or failed otherwise.
    var errorCode: RedisError.Code? {
        guard case .failure(let error as RedisError) = result else { return nil }
        return error.code
    }
}
