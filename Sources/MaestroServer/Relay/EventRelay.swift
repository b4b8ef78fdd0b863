import Foundation
import Logging
import MaestroDomain
import MaestroStore
import NIOCore
import RedisClient
import ServiceLifecycle
import Synchronization

/// Turns each project's event stream into per-project feeds for WebSocket and SSE clients, woken by Redis sharded
/// pub/sub.
///
/// One dedicated thread holds a subscriber connection and a reader connection. It subscribes (`SSUBSCRIBE
/// mae:{P}:live`) to the projects that have clients here, on whichever shard holds each project's slot, and
/// unsubscribes from those that no longer have any. A published message is only a wake-up: the relay then reads
/// the project's stream after the last entry it read, and hands each event, encoded once, to the feeds (sinks) of
/// its project — so clients get only what the stream holds, and a forged publish (anyone allowed to publish on the
/// channel could send one) changes nothing but a counter in /metrics. Whenever a project's subscription starts — its
/// first client, a new subscriber connection after a lost one, its slot moved to another shard — that project's
/// feeds are told to catch up from the stream, so a client never misses an event. Several relay processes can serve
/// the same Redis: each has its own connections.
public final class EventRelay: Service, Sendable {
    /// How long the subscriber waits for a message before it looks for projects to (un)subscribe.
    static let subscriptionCheckInterval = Duration.milliseconds(10)
    /// How often feeds get a keep-alive tick (an SSE comment; a WebSocket ping, and a client that left the previous
    /// one unanswered is dropped).
    let keepAliveInterval: Duration

    /// The most pushed replies handled before the stream is read.
    static let batchLimit = 1000

    /// The subscriber's configuration (no reply timeout) and the stream reader's.
    private let configuration: RedisConfiguration
    private let readerConfiguration: RedisConfiguration
    private let queueLimit: Int
    private let logger: Logger
    private let metrics: ServerMetrics
    private let feeds = Mutex(RelayFeeds())
    /// Set when a project gained its first sink or lost its last one: the subscriber has work to do.
    private let projectsChanged = Atomic<Bool>(false)
    private let subscriber = Mutex<SubscriberHandle?>(nil)
    private let isStopping = Atomic<Bool>(false)
    private let ready = Atomic<Bool>(false)

    /// Creates a relay; `queueLimit` is how many events a client may fall behind before it is disconnected.
    public init(
        configuration: RedisConfiguration, queueLimit: Int = 1000, keepAliveInterval: Duration = .seconds(15),
        metrics: ServerMetrics, logger: Logger
    ) {
        self.keepAliveInterval = keepAliveInterval
        var subscriberConfiguration = configuration
        subscriberConfiguration.commandTimeout = .zero  // a subscriber waits for messages for ever
        self.configuration = subscriberConfiguration
        readerConfiguration = configuration
        self.queueLimit = queueLimit
        self.logger = logger
        self.metrics = metrics
    }

    /// Whether the subscriber connection is established (for /readyz).
    public var isReady: Bool { ready.load(ordering: .acquiring) }

    /// The number of connected clients.
    public var clientCount: Int { feeds.withLock { $0.count } }

    /// A new feed of `projectId`'s events as an async sequence, starting now.
    public func subscribe(projectId: String) -> RelaySubscription {
        let subscription = RelaySubscription(projectId: projectId, queueLimit: queueLimit)
        add(subscription)
        return subscription
    }

    /// Starts delivering the events of `sink.projectId` to `sink`. Until the project's subscription is confirmed
    /// the sink may miss live events; it then gets `.catchUp`.
    public func add(_ sink: any RelaySink) {
        let count = feeds.withLock { feeds in
            if feeds.insert(sink) { projectsChanged.store(true, ordering: .releasing) }
            return feeds.count
        }
        metrics.clients(count)
    }

    /// Counts a client closed for falling more than `queueLimit` events behind (SSE or WebSocket).
    func droppedTooSlow() { metrics.clientTooSlow() }

    /// Stops delivering to `sink`.
    public func remove(_ sink: any RelaySink) {
        let count = feeds.withLock { feeds in
            if feeds.remove(sink) { projectsChanged.store(true, ordering: .releasing) }
            return feeds.count
        }
        metrics.clients(count)
    }

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
                    while (try? await Task.sleep(for: keepAliveInterval)) != nil { broadcast(.keepAlive) }
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
        SubscriberLoop.run(
            isStopping: { isStopping.load(ordering: .acquiring) },
            onLost: { error, pause in
                ready.store(false, ordering: .releasing)
                logger.warning(
                    "relay subscriber lost Redis; reconnecting", metadata: ["error": "\(error)", "pause": "\(pause)"])
            }
        ) { connected in
            let connection = RedisConnection(configuration)
            let reader = RedisConnection(readerConfiguration)
            defer { reader.close() }
            subscriber.withLock { $0 = SubscriberHandle(connection: connection) }
            var followed: [String: FollowedStream] = [:]
            _ = try connection.send(RedisCommand("PING"))
            ready.store(true, ordering: .releasing)
            connected()
            projectsChanged.store(true, ordering: .releasing)
            while true {
                if projectsChanged.exchange(false, ordering: .acquiringAndReleasing) {
                    try reconcile(connection, reader, &followed)
                }
                guard let first = try connection.receive(timeout: Self.subscriptionCheckInterval) else { continue }
                // Everything already received is one batch: one stream read per woken project.
                var wakeUps: [String: [RedisReply]] = [:]
                var reply: RedisReply? = first
                var received = 0
                while let current = reply {
                    handle(current, wakeUps: &wakeUps, followed: &followed)
                    received += 1
                    reply = received < Self.batchLimit ? try connection.receive(timeout: .zero) : nil
                }
                for (projectId, messages) in wakeUps where followed[projectId] != nil {
                    try forward(projectId, wokenBy: messages, reader: reader, followed: &followed[projectId]!)
                }
            }
        }
        ready.store(false, ordering: .releasing)
        subscriber.withLock {
            $0?.connection.close()
            $0 = nil
        }
    }

    /// Subscribes to the projects that have feeds here and unsubscribes from those that have none; each new
    /// subscription, once confirmed, sends its project's feeds to the stream for what they may have missed.
    private func reconcile(
        _ connection: RedisConnection, _ reader: RedisConnection, _ followed: inout [String: FollowedStream]
    ) throws {
        let wanted = feeds.withLock { Set($0.projectIds) }
        for projectId in wanted.subtracting(followed.keys) {
            guard let scope = try? ProjectScope(projectId: projectId) else { continue }
            // The stream's end before subscribing: every wake-up from now on names a later event.
            let end = try reader.execute(StreamEnd(scope: scope))
            _ = try connection.send(Subscription.live(scope))
            followed[projectId] = FollowedStream(from: end)
            deliver(.catchUp, to: projectId)
        }
        for projectId in Set(followed.keys).subtracting(wanted) {
            _ = try connection.send(Subscription.stopLive(projectId: projectId))
            followed[projectId] = nil
        }
    }

    /// Sorts one pushed reply: `smessage mae:{<project>}:live <id>` is a wake-up of that project;
    /// `sunsubscribe mae:{<project>}:live <count>` means the project's slot moved to another shard (it is then
    /// subscribed again, on its new shard).
    private func handle(
        _ reply: RedisReply, wakeUps: inout [String: [RedisReply]], followed: inout [String: FollowedStream]
    ) {
        guard let parts = reply.array, parts.count == 3, let kind = parts[0].string, let channel = parts[1].string,
            let projectId = ProjectScope.projectId(ofLiveChannel: channel)
        else { return }
        switch kind {
        case "smessage":
            wakeUps[projectId, default: []].append(parts[2])
        case "sunsubscribe" where followed[projectId] != nil:
            logger.info("a project's slot moved; subscribing on its new shard", metadata: ["project": "\(projectId)"])
            followed[projectId] = nil
            projectsChanged.store(true, ordering: .releasing)
        default:
            return
        }
    }

    /// Reads the project's stream after the last entry read and hands every event to its feeds; then counts the
    /// wake-ups that named no event read from the stream as forged.
    private func forward(
        _ projectId: String, wokenBy messages: [RedisReply], reader: RedisConnection,
        followed stream: inout FollowedStream
    ) throws {
        let scope = try ProjectScope(projectId: projectId)
        while true {
            let page = try reader.execute(EventsAfter(scope: scope, after: stream.last, count: EventReplay.pageSize))
            stream.read(page.events.map(\.id), through: page.lastRead)
            metrics.malformedStreamEntries(page.malformed)
            if !page.events.isEmpty {
                let groups = feeds.withLock { $0.groups(of: projectId) }
                let item = RelayItem.events(page.events.map(RelayEvent.init))
                for group in groups { group.deliver(item) }
                let clients = groups.reduce(0) { $0 + $1.sinks.count }
                for event in page.events { metrics.relayed(event.id, clients: clients) }
            }
            if page.entriesRead < EventReplay.pageSize { break }
        }
        let forged = messages.count { message in
            guard case .bulk(let bytes) = message, bytes.count <= StreamID.longestText,
                let id = StreamID(String(decoding: bytes, as: UTF8.self))
            else { return true }
            return !stream.knows(id)
        }
        if forged > 0 {
            metrics.forgedPublishes(forged)
            logger.debug("ignored forged live messages", metadata: ["project": "\(projectId)", "count": "\(forged)"])
        }
    }

    private func deliver(_ item: RelayItem, to projectId: String) {
        for group in feeds.withLock({ $0.groups(of: projectId) }) { group.deliver(item) }
    }

    private func broadcast(_ item: RelayItem) {
        for group in feeds.withLock(\.allGroups) { group.deliver(item) }
    }

    /// The subscriber connection, shared with the shutdown handler so it can interrupt a blocked read.
    private struct SubscriberHandle: @unchecked Sendable {
        // @unchecked: only `interrupt()`, which is safe from any thread, is called from outside the relay thread.
        let connection: RedisConnection
    }
}
