/// What a `RedisConnection` knows about the Redis Cluster it discovered: the slot map, one link per node it has
/// talked to, and whether the map must be read again before the next command.
final class ClusterTopology {
    typealias Endpoint = RedisConfiguration.Endpoint

    /// The primaries by slot, as last read (or as patched by `-MOVED` since).
    var map: ClusterSlotMap
    /// Set by `-MOVED`, `-CLUSTERDOWN`, a node that cannot be reached or broke, and a slot's subscriptions being
    /// dropped: the next call reads the whole map again (at most once per `refreshInterval`).
    var isStale: Bool
    private var links: [Endpoint: NodeLink] = [:]
    private var lastRefresh: ContinuousClock.Instant?

    /// The least time between two reads of the map: a burst of `-MOVED` during a reshard costs one read per
    /// interval, each command meanwhile following its own redirect.
    static let refreshInterval = Duration.milliseconds(100)

    /// A topology with `map`; `isStale` when the map was not read whole (only a `-MOVED` is known so far).
    init(map: ClusterSlotMap, isStale: Bool) {
        self.map = map
        self.isStale = isStale
    }

    /// Every link opened so far (open or not).
    var allLinks: [NodeLink] { Array(links.values) }

    /// The link to `endpoint`, created (not opened) on first use.
    func link(
        to endpoint: Endpoint, configuration: RedisConfiguration, sockets: SocketRegistry
    ) -> NodeLink {
        if let link = links[endpoint] { return link }
        let link = NodeLink(endpoint: endpoint, configuration: configuration, sockets: sockets)
        links[endpoint] = link
        return link
    }

    /// Whether the map may be read again now.
    var mayRefresh: Bool {
        guard let lastRefresh else { return true }
        return ContinuousClock.now - lastRefresh >= Self.refreshInterval
    }

    /// Records a read of the map (successful or not), for the rate limit.
    func noteRefreshAttempt() {
        lastRefresh = .now
    }

    /// Closes every link; the map stays.
    func closeAll() {
        for link in links.values { link.close() }
    }
}
