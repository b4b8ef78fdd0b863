import Foundation
import MaestroStore
import ProcessTestSupport
import RedisClient
import RedisTestSupport
import Testing

/// Anyone allowed to publish on a project's live channel (every direct-Redis agent is: the functions publish as
/// their caller) can send anything there. The relay takes a message only as a wake-up and sends clients what the
/// stream holds.
@Suite("Forged live messages change nothing clients see")
struct ForgedPublishTests {
    static let auth = "token=\(LiveServer.userToken)"

    @Test("a storm of forged SPUBLISHes while real events flow: every real event once, in order, no forged frame")
    func forgedStorm() async throws {
        try await LiveServer.run { server in
            let scope = try ProjectScope(projectId: "p")
            let writer = server.redis.connect()
            // Real events of another project, whose ids a forger could replay here.
            let elsewhere = try ProjectScope(projectId: "elsewhere", streamMaxLength: 0)
            for index in 0..<20 {
                _ = try writer.run(CreateTask(scope: elsewhere, taskId: "e\(index)", title: "Elsewhere \(index)"))
            }
            let foreignIds = try writer.events(in: elsewhere).map(\.id)
            let since = try server.lastEventID()
            let real = 200
            // The client stays for the whole storm, so the relay follows the project until every forgery has been
            // counted.
            let stormOver = Flag()
            async let watched = RawWebSocket.run(
                port: server.port, query: "projectId=p&since=\(since)&\(Self.auth)", answersPings: true,
                count: real, limit: 120, done: { stormOver.isSet })
            // The relay follows the project before the storm begins.
            let following = try await pollUntil {
                try writer.send(RedisCommand("PUBSUB", "SHARDNUMSUB", scope.liveChannel)).array?.last?.integer == 1
            }
            #expect(following)

            let forgeries: [[UInt8]] = [
                Array("99999999999999-0".utf8), Array("18446744073709551615-18446744073709551615".utf8),
                Array(#"{"id":"1-0","type":"task:deleted","payload":{"taskId":"forged"}}"#.utf8),
                Array("not json at all".utf8), [0xFF, 0xFE, 0x00], [], Array(repeating: 0x7B, count: 1 << 18),
            ] + foreignIds.map { Array($0.utf8) }
            // Each forgery with the number of subscribers Redis handed it to (the relay's, or none).
            let forger = Thread.runDetached {
                let connection = server.redis.connect()
                var delivered: [(forgery: [UInt8], receivers: Int64)] = []
                for round in 0..<40 {
                    for forgery in forgeries {
                        let reply = try? connection.send(
                            RedisCommand(arguments: [Array("SPUBLISH".utf8), Array(scope.liveChannel.utf8), forgery]))
                        delivered.append((forgery, reply?.integer ?? 0))
                    }
                    if round % 10 == 0 { usleep(10_000) }
                }
                return delivered
            }
            for index in 0..<real {
                _ = try writer.run(CreateTask(scope: scope, taskId: "t\(index)", title: "Real \(index)"))
            }
            let delivered = await forger.value
            let streamIds = try writer.events(in: scope, after: since).map(\.id)
            // Every forgery is counted, but a replayed id that this project's stream also holds (the same
            // millisecond and sequence in both streams) is indistinguishable from a real wake-up.
            let known = Set(streamIds)
            let countable = delivered.filter {
                $0.receivers > 0 && !known.contains(String(decoding: $0.forgery, as: UTF8.self))
            }.count
            // The client leaves only once the relay has caught up with the storm.
            let counted = await pollUntil(timeout: .seconds(60)) {
                server.counter("maestro_relay_forged_messages_total") >= countable
            }
            stormOver.set()
            let outcome = try await watched
            let receivedIds = outcome.messages.compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["id"] as? String
            }
            #expect(streamIds.count == real)
            #expect(receivedIds == streamIds, "exactly the stream's events, in order, none twice, none forged")
            #expect(outcome.messages.allSatisfy { !$0.contains("forged") })
            #expect(delivered.count == 40 * forgeries.count && countable > 40 * 7, "\(countable) delivered")
            let total = server.counter("maestro_relay_forged_messages_total")
            #expect(counted && total == countable, "forged messages counted: \(total) of \(countable)")
        }
    }
}

/// A flag one task sets and a thread reads.
final class Flag: @unchecked Sendable {
    // @unchecked: every access goes through `lock`.
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

extension Thread {
    /// Runs blocking `work` on a thread of its own and hands back its result.
    static func runDetached<Value: Sendable>(_ work: @escaping @Sendable () -> Value) -> Task<Value, Never> {
        Task {
            await withCheckedContinuation { continuation in
                Thread.detachNewThread { continuation.resume(returning: work()) }
            }
        }
    }
}
