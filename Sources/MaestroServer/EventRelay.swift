import Foundation
import Logging
import MaestroStore
import NIOCore
import RedisClient
import ServiceLifecycle
import Synchronization

/// Turns Redis pub/sub into per-project feeds for WebSocket and SSE clients.
///
/// One dedicated thread holds a subscriber connection (`PSUBSCRIBE mae:{*}:live`) and fans every published
/// event out to the feeds (sinks) of its project, encoded once for all of them. After the subscriber connection
/// is re-established, every feed is told to catch up from the project's stream, so a client never misses an
/// event. Several relay processes can serve the same Redis: each has its own subscriber.
public final class EventRelay: Service, Sendable {
    /// The channel pattern every project's live channel matches.
    static let channelPattern = "mae:{*}:live"

    private let configuration: RedisConfiguration
    private let queueLimit: Int
    private let logger: Logger
    private let metrics: ServerMetrics
    private let sinks = Mutex<[String: [ObjectIdentifier: any RelaySink]]>([:])
    private let subscriber = Mutex<SubscriberHandle?>(nil)
    private let isStopping = Atomic<Bool>(false)
    private let ready = Atomic<Bool>(false)

    /// Creates a relay; `queueLimit` is how many events a client may fall behind before it is disconnected.
    public init(configuration: RedisConfiguration, queueLimit: Int = 1000, metrics: ServerMetrics, logger: Logger) {
        var subscriberConfiguration = configuration
        subscriberConfiguration.commandTimeout = .zero  // a subscriber waits for messages for ever
        self.configuration = subscriberConfiguration
        self.queueLimit = queueLimit
        self.logger = logger
        self.metrics = metrics
    }

    /// Whether the subscriber connection is established (for /readyz).
    public var isReady: Bool { ready.load(ordering: .acquiring) }

    /// The number of connected clients.
    public var clientCount: Int { sinks.withLock { $0.values.reduce(0) { $0 + $1.count } } }

    /// A new feed of `projectId`'s events as an async sequence, starting now.
    public func subscribe(projectId: String) -> RelaySubscription {
        let subscription = RelaySubscription(projectId: projectId, queueLimit: queueLimit)
        add(subscription)
        return subscription
    }

    /// Starts delivering the events of `sink.projectId` to `sink`, from now on.
    public func add(_ sink: any RelaySink) {
        let count = sinks.withLock { all in
            all[sink.projectId, default: [:]][ObjectIdentifier(sink)] = sink
            return all.values.reduce(0) { $0 + $1.count }
        }
        metrics.clients(count)
    }

    /// Stops delivering to `sink`.
    public func remove(_ sink: any RelaySink) {
        let count = sinks.withLock { all in
            all[sink.projectId]?[ObjectIdentifier(sink)] = nil
            if all[sink.projectId]?.isEmpty == true { all[sink.projectId] = nil }
            return all.values.reduce(0) { $0 + $1.count }
        }
        metrics.clients(count)
    }

    /// How often idle feeds get a keep-alive tick.
    static let keepAliveInterval = Duration.seconds(15)

    /// Runs the subscriber thread until graceful shutdown, then ends every feed.
    public func run() async throws {
        let done = AsyncStream.makeStream(of: Void.self)
        Thread.detachNewThread { [self] in
            subscribeLoop()
            done.continuation.finish()
        }
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { for await _ in done.stream {} }
                group.addTask { [self] in
                    while (try? await Task.sleep(for: Self.keepAliveInterval)) != nil { broadcast(.keepAlive) }
                }
                await group.next()
                group.cancelAll()
            }
        } onGracefulShutdown: { [self] in
            isStopping.store(true, ordering: .releasing)
            subscriber.withLock { $0?.connection.interrupt() }
        }
        broadcast(.finish)
    }

    private func subscribeLoop() {
        var backoff = Duration.milliseconds(50)
        while !isStopping.load(ordering: .acquiring) {
            let connection = RedisConnection(configuration)
            subscriber.withLock { $0 = SubscriberHandle(connection: connection) }
            do {
                let reply = try connection.pipeline([RedisCommand("PSUBSCRIBE", Self.channelPattern)])[0]
                if case .error(let message) = reply { throw RedisError(.server, message) }
                ready.store(true, ordering: .releasing)
                backoff = .milliseconds(50)
                broadcast(.catchUp)
                while true { dispatch(try connection.receive()) }
            } catch {
                ready.store(false, ordering: .releasing)
                guard !isStopping.load(ordering: .acquiring) else { break }
                logger.warning("relay subscriber lost Redis; reconnecting", metadata: ["error": "\(error)"])
                Thread.sleep(forTimeInterval: backoff / .seconds(1))
                backoff = min(backoff * 2, .seconds(2))
            }
        }
        subscriber.withLock {
            $0?.connection.close(); $0 = nil
        }
    }

    /// `pmessage <pattern> mae:{<project>}:live <json>`
    private func dispatch(_ reply: RedisReply) {
        guard let parts = reply.array, parts.count == 4, parts[0].string == "pmessage",
            let channel = parts[2].string, let json = parts[3].string,
            let open = channel.firstIndex(of: "{"), let close = channel.firstIndex(of: "}"),
            let id = JSONText.leadingEventID(json)
        else { return }
        let projectId = String(channel[channel.index(after: open)..<close])
        let targets = sinks.withLock { $0[projectId].map { Array($0.values) } ?? [] }
        guard !targets.isEmpty else { return }
        let item = RelayItem.event(id, ByteBuffer(string: json))
        for sink in targets { sink.deliver(item) }
        metrics.relayed(id, clients: targets.count)
    }

    private func broadcast(_ item: RelayItem) {
        let all = sinks.withLock { all in all.values.flatMap(\.values) }
        for sink in all { sink.deliver(item) }
    }

    /// The subscriber connection, shared with the shutdown handler so it can interrupt a blocked read.
    private struct SubscriberHandle: @unchecked Sendable {
        // @unchecked: only `interrupt()`, which is safe from any thread, is called from outside the relay thread.
        let connection: RedisConnection
    }
}
