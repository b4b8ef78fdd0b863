import Dispatch
import RedisClient
import RedisTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Classic pub/sub on a single Redis: the subscriber side of the connection (`receive`, `interrupt`).
@Suite("Redis pub/sub")
struct RedisSubscriptionTests {
    @Test func subscribeThenReceive() throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let subscriber = server.connect()
        #expect(try subscriber.send(RedisCommand("SUBSCRIBE", "news")) == Self.reply("subscribe", "news", 1))
        #expect(
            try subscriber.send(RedisCommand("PSUBSCRIBE", "mae:{*}:live"))
                == Self.reply("psubscribe", "mae:{*}:live", 2))
        #expect(try subscriber.receive(timeout: .milliseconds(20)) == nil)

        let publisher = server.connect()
        #expect(try publisher.send(RedisCommand("PUBLISH", "news", "hello")) == .integer(1))
        #expect(try subscriber.receive() == .array(["message", "news", "hello"].map { .bulk(Array($0.utf8)) }))
        #expect(try publisher.send(RedisCommand("PUBLISH", "mae:{p}:live", "event")) == .integer(1))
        let pattern = ["pmessage", "mae:{*}:live", "mae:{p}:live", "event"].map { RedisReply.bulk(Array($0.utf8)) }
        #expect(try subscriber.receive(timeout: .seconds(5)) == .array(pattern))
    }

    /// Messages that arrive while a further SUBSCRIBE waits for its confirmation are kept, in order, for `receive`.
    @Test func messagesBeforeAConfirmationAreKept() throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let subscriber = server.connect()
        _ = try subscriber.send(RedisCommand("SUBSCRIBE", "first"))
        let publisher = server.connect()
        for index in 0..<3 { _ = try publisher.send(RedisCommand("PUBLISH", "first", "m\(index)")) }

        #expect(try subscriber.send(RedisCommand("SUBSCRIBE", "second")) == Self.reply("subscribe", "second", 2))
        for index in 0..<3 {
            let message = try subscriber.receive(timeout: .seconds(5))
            #expect(message == .array(["message", "first", "m\(index)"].map { .bulk(Array($0.utf8)) }))
        }
        #expect(try subscriber.send(RedisCommand("UNSUBSCRIBE", "first")) == Self.reply("unsubscribe", "first", 1))
    }

    @Test func interruptWakesABlockedReceive() throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        var configuration = server.configuration
        configuration.commandTimeout = .zero
        let subscriber = RedisConnection(configuration)
        _ = try subscriber.send(RedisCommand("SUBSCRIBE", "quiet"))
        let shared = SharedConnection(subscriber)
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        PosixThread.detach {
            outcome.record(Result { try shared.connection.receive() })
            done.signal()
        }
        usleep(100_000)  // let it block; an earlier interrupt would end the wait all the same
        subscriber.interrupt()
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(outcome.errorCode == .connectionLost)
    }

    static func reply(_ kind: String, _ channel: String, _ count: Int64) -> RedisReply {
        .array([.bulk(Array(kind.utf8)), .bulk(Array(channel.utf8)), .integer(count)])
    }
}
