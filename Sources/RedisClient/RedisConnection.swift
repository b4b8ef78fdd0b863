import CHiredis

#if canImport(Glibc)
    import Glibc
#endif

/// One blocking connection to Redis over hiredis — to a single Redis, or to a Redis Cluster through any of its
/// nodes.
///
/// Every call blocks the calling thread: use it from a thread of your own (the CLI's main thread, or a
/// `RedisConnectionPool` worker), never from Swift's cooperative thread pool. Not thread-safe, except
/// `interrupt()`.
///
/// The connection is opened lazily and re-opened after it breaks, retrying with bounded exponential
/// backoff until `connectTimeout` has passed. A command that was in flight when the connection broke
/// is never resent here: the caller decides whether a retry is safe (see idempotency keys in the store).
///
/// It starts as one socket to the configured endpoint and costs nothing more than that on a single Redis. The
/// first `-MOVED` reply shows it is talking to a cluster (`isCluster`): it then reads the slot map, opens a socket
/// per node on demand, sends every keyed command to its slot's primary (see `RedisCommand.routingKey`) and
/// keyless ones to the node it started on, and follows `-MOVED`, `-ASK`, `-TRYAGAIN` and `-CLUSTERDOWN` — replies
/// that mean the command was not executed, so resending is safe — for up to `connectTimeout`.
public final class RedisConnection {
    /// Where and how this connection connects.
    public let configuration: RedisConfiguration
    /// The socket keyless commands use: the configured endpoint, or the additional endpoint that answered.
    var home: NodeLink
    /// Set once a node answered with a cluster redirect.
    var cluster: ClusterTopology?
    /// Every open socket, for `interrupt()` from another thread.
    let sockets = SocketRegistry()
    /// Pub/sub messages that arrived while a command waited for its reply, for the next `receive`.
    var pushedMessages: [RedisReply] = []
    /// The node that gave the last final reply (after redirects): where a following `WAIT` must go.
    var lastAnswered: RedisConfiguration.Endpoint?
    /// Where `receive` starts looking when several sockets hold subscriptions (so that none starves).
    var nextListener = 0

    /// Creates a connection; nothing is opened until the first command (or `connect()`).
    public init(_ configuration: RedisConfiguration) {
        self.configuration = configuration
        home = NodeLink(endpoint: configuration.endpoint, configuration: configuration, sockets: sockets)
    }

    deinit { close() }

    /// Whether a socket is currently open.
    public var isConnected: Bool {
        home.isOpen || (cluster?.allLinks.contains { $0.isOpen } ?? false)
    }

    /// Whether this connection has found out that it talks to a Redis Cluster (from a redirect, or from
    /// `sendToEveryPrimary`).
    public var isCluster: Bool { cluster != nil }

    /// Opens the connection now if it is not open, retrying with backoff within the connect timeout (trying the
    /// configured endpoint and then each additional endpoint in turn).
    public func connect() throws {
        guard !home.isOpen else { return }
        let candidates = [configuration.endpoint] + configuration.additionalEndpoints
        let deadline = ContinuousClock.now + configuration.connectTimeout
        var backoff = Duration.milliseconds(20)
        var attempt = candidates.firstIndex(of: home.endpoint) ?? 0
        while true {
            let endpoint = candidates[attempt % candidates.count]
            if home.endpoint != endpoint {
                home = NodeLink(endpoint: endpoint, configuration: configuration, sockets: sockets)
            }
            do {
                try home.open(timeout: deadline - ContinuousClock.now)
                return
            } catch let error as RedisError where error.code == .connectionFailed {
                attempt += 1
                // A full round over the candidates without success waits before the next one.
                guard attempt % candidates.count == 0 else { continue }
                guard ContinuousClock.now + backoff < deadline else {
                    let tried = candidates.map(\.description).joined(separator: ", ")
                    throw RedisError(
                        .connectionFailed,
                        "cannot reach Redis at \(tried) within \(configuration.connectTimeout): " + error.message,
                        underlying: error)
                }
                Self.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(1))
            }
        }
    }

    /// Sends one command and returns its reply; an error reply is thrown as `RedisError` with code `.server`.
    public func send(_ command: RedisCommand) throws -> RedisReply {
        let reply = try pipeline([command])[0]
        if case .error(let message) = reply { throw RedisError(.server, message) }
        return reply
    }

    /// Sends all commands in one write and reads their replies in order; error replies stay in place as `.error`.
    ///
    /// In a cluster, each node gets its share of the commands as one pipeline (all nodes are written to before
    /// any is read), and the replies come back in the order of `commands`. Commands for different nodes may run
    /// in any order relative to each other; commands for one node run in order.
    public func pipeline(_ commands: [RedisCommand]) throws -> [RedisReply] {
        if cluster != nil { return try clusterPipeline(commands) }
        try connect()
        for command in commands { try home.append(command) }
        let replies = try NodeLink.withBrokenPipeSuppressed {
            try commands.map { try reply(to: $0, on: home) }
        }
        lastAnswered = home.endpoint
        guard replies.contains(where: ClusterRedirect.mightBe) else { return replies }
        return try followRedirects(commands, replies, from: home.endpoint)
    }

    /// Shuts every socket down so that a thread blocked in `receive()` returns; safe to call from another thread.
    public func interrupt() {
        sockets.shutDownAll()
    }

    /// Closes every socket; the next command opens what it needs again. A cluster's slot map is kept.
    public func close() {
        home.close()
        cluster?.closeAll()
        pushedMessages.removeAll()
    }

    static func sleep(for duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}
