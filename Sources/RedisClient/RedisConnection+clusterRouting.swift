extension RedisConnection {
    /// A command of a pipeline still waiting for its final reply, and where it goes next.
    struct RoutedCommand {
        /// Where a command goes.
        enum Target: Equatable {
            /// The node the connection started on (keyless commands).
            case home
            /// The primary of a slot, per the slot map.
            case slot(Int)
            /// A node named by a redirect.
            case node(RedisConfiguration.Endpoint)
        }

        /// Its position in the caller's pipeline.
        let index: Int
        /// Where it goes when no redirect says otherwise: its slot's primary, home, or a given node.
        let routedTarget: Target
        /// Where it goes next.
        var target: Target
        /// Whether `ASKING` must precede it (after `-ASK`).
        var asking = false
        var redirects = 0

        init(index: Int, target: Target) {
            self.index = index
            self.routedTarget = target
            self.target = target
        }

        /// A command routed by its key's slot, or home when it has none.
        init(index: Int, command: RedisCommand) {
            self.init(index: index, target: command.hashSlot.map(Target.slot) ?? .home)
        }
    }

    private static let asking = RedisCommand("ASKING")

    /// More redirects than this for one command means nodes disagree for good (a misconfigured cluster).
    static let maximumRedirects = 16

    /// `pipeline` once the connection knows it talks to a cluster.
    func clusterPipeline(_ commands: [RedisCommand]) throws -> [RedisReply] {
        var replies = [RedisReply?](repeating: nil, count: commands.count)
        let work = commands.indices.map { RoutedCommand(index: $0, command: commands[$0]) }
        try route(work, of: commands, into: &replies)
        return replies.map { $0! }
    }

    /// Sends `command` to each of `nodes` (pipelined: all are written to before any is read); the replies in
    /// the order of `nodes`. A node that cannot be reached is retried within the connect timeout.
    func pipeline(to nodes: [RedisConfiguration.Endpoint], _ command: RedisCommand) throws -> [RedisReply] {
        var replies = [RedisReply?](repeating: nil, count: nodes.count)
        let work = nodes.indices.map { RoutedCommand(index: $0, target: .node(nodes[$0])) }
        try route(work, of: Array(repeating: command, count: nodes.count), into: &replies)
        return replies.map { $0! }
    }

    /// The first redirect on a connection that thought it talked to a single Redis: from now on it is a cluster.
    /// The replies that are not redirects stand; the others are routed again.
    func followRedirects(
        _ commands: [RedisCommand], _ firstReplies: [RedisReply], from node: RedisConfiguration.Endpoint
    ) throws -> [RedisReply] {
        var replies = [RedisReply?](repeating: nil, count: commands.count)
        var redirects: [(RoutedCommand, ClusterRedirect)] = []
        for (index, reply) in firstReplies.enumerated() {
            guard case .error(let message) = reply, let redirect = ClusterRedirect(error: message, from: node) else {
                replies[index] = reply
                continue
            }
            redirects.append((RoutedCommand(index: index, command: commands[index]), redirect))
        }
        guard !redirects.isEmpty else { return firstReplies }
        if cluster == nil { cluster = ClusterTopology(map: ClusterSlotMap(), isStale: true) }
        var retry = RetryBudget(limit: configuration.connectTimeout)
        var work: [RoutedCommand] = []
        var later: [RoutedCommand] = []
        for (command, redirect) in redirects {
            var command = command
            if try redirected(&command, redirect, firstReplies[command.index]) { work.append(command) } else {
                later.append(command)
            }
        }
        if !later.isEmpty { try retry.wait(because: firstReplies[later[0].index]) }
        try route(work + later, of: commands, into: &replies, retry: retry)
        return replies.map { $0! }
    }

    /// Sends each command to its node, reads the replies and follows redirects until every command has its final
    /// reply. Connection failures before sending, `-TRYAGAIN` and `-CLUSTERDOWN` wait with backoff within
    /// `retry`; a socket that breaks after its commands were sent throws `.connectionLost`.
    private func route(
        _ initial: [RoutedCommand], of commands: [RedisCommand], into replies: inout [RedisReply?],
        retry initialRetry: RetryBudget? = nil
    ) throws {
        var work = initial
        var retry = initialRetry ?? RetryBudget(limit: configuration.connectTimeout)
        var avoidHome = false
        while !work.isEmpty {
            guard let cluster else { preconditionFailure("routing without a cluster") }
            if cluster.isStale && cluster.mayRefresh { refreshSlotMap() }

            // Group by node, keeping each node's commands in pipeline order.
            var groups: [(link: NodeLink, commands: [RoutedCommand])] = []
            for command in work {
                let link = self.link(for: command.target, avoidingHome: avoidHome)
                if let group = groups.firstIndex(where: { $0.link === link }) {
                    groups[group].commands.append(command)
                } else {
                    groups.append((link, [command]))
                }
            }

            var later: [RoutedCommand] = []
            var lastProblem: RedisReply?
            var sent: [(link: NodeLink, commands: [RoutedCommand])] = []
            var next: [RoutedCommand] = []
            do {
                try NodeLink.withBrokenPipeSuppressed {
                    for group in groups {
                        do {
                            try group.link.open(timeout: min(configuration.connectTimeout, retry.remaining))
                        } catch let error as RedisError where error.code == .connectionFailed {
                            // Nothing was sent: the node is down (a failover?) — read the map again and retry.
                            cluster.isStale = true
                            if group.link === home { avoidHome = true }
                            lastProblem = .error("cannot reach \(group.link.endpoint): \(error.message)")
                            later += group.commands.map { var command = $0; command.target = command.routedTarget; return command }
                            continue
                        }
                        for command in group.commands {
                            if command.asking { try group.link.append(Self.asking) }
                            try group.link.append(commands[command.index])
                        }
                        sent.append(group)
                        try group.link.flush()
                    }
                    for group in sent {
                        for var command in group.commands {
                            if command.asking { _ = try reply(to: Self.asking, on: group.link) }
                            let reply = try reply(to: commands[command.index], on: group.link)
                            guard case .error(let message) = reply,
                                let redirect = ClusterRedirect(error: message, from: group.link.endpoint)
                            else {
                                replies[command.index] = reply
                                continue
                            }
                            if try redirected(&command, redirect, reply) {
                                next.append(command)
                            } else {
                                lastProblem = reply
                                later.append(command)
                            }
                        }
                    }
                }
            } catch {
                // Replies still unread on other sockets would be taken for later commands' replies: drop them.
                for group in sent { group.link.close() }
                cluster.isStale = true
                throw error
            }
            if !later.isEmpty, let lastProblem { try retry.wait(because: lastProblem) }
            work = next + later
        }
    }

    /// Applies a redirect to `command`; true when it can go again at once, false when it must wait (backoff).
    private func redirected(
        _ command: inout RoutedCommand, _ redirect: ClusterRedirect, _ reply: RedisReply
    ) throws -> Bool {
        command.redirects += 1
        guard command.redirects <= Self.maximumRedirects else {
            throw RedisError(
                .connectionFailed,
                "Redis Cluster redirected a command \(Self.maximumRedirects) times; last: \(reply.errorMessage)")
        }
        command.asking = false
        switch redirect {
        case .moved(let slot, let node):
            cluster?.map.assign(slot: slot, to: node)
            cluster?.isStale = true
            command.target = .node(node)
            return true
        case .ask(_, let node):
            command.target = .node(node)
            command.asking = true
            return true
        case .tryAgain:
            command.target = command.routedTarget
            return false
        case .clusterDown:
            cluster?.isStale = true
            command.target = command.routedTarget
            return false
        }
    }

    /// The socket for a target; keyless commands leave the home node when it could not be reached.
    private func link(for target: RoutedCommand.Target, avoidingHome: Bool) -> NodeLink {
        guard let cluster else { return home }
        let endpoint: RedisConfiguration.Endpoint
        switch target {
        case .home:
            guard avoidingHome, let other = cluster.map.primaries.first(where: { $0 != home.endpoint }) else {
                return home
            }
            endpoint = other
        case .slot(let slot):
            guard let primary = cluster.map.primary(forSlot: slot) else { return home }
            endpoint = primary
        case .node(let node):
            endpoint = node
        }
        if endpoint == home.endpoint { return home }
        return cluster.link(to: endpoint, configuration: configuration, sockets: sockets)
    }

    /// Reads the whole slot map from the first node that answers: home, then every known node, then the configured
    /// ones. Keeps the old map (still stale) when none answers. Never uses a socket in subscribe mode (which
    /// refuses other commands): such a node is asked over a short-lived socket of its own.
    @discardableResult
    func refreshSlotMap() -> Bool {
        guard let cluster else { return false }
        cluster.noteRefreshAttempt()
        var candidates: [RedisConfiguration.Endpoint] = []
        for endpoint in [home.endpoint] + cluster.map.nodes + [configuration.endpoint]
            + configuration.additionalEndpoints where !candidates.contains(endpoint)
        {
            candidates.append(endpoint)
        }
        for endpoint in candidates {
            var link = endpoint == home.endpoint ? home : cluster.link(
                to: endpoint, configuration: configuration, sockets: sockets)
            let temporary = link.isSubscribed
            if temporary { link = NodeLink(endpoint: endpoint, configuration: configuration, sockets: sockets) }
            defer { if temporary { link.close() } }
            guard let reply = try? slotsReply(on: link), let map = try? ClusterSlotMap(slotsReply: reply, from: endpoint),
                !map.isEmpty
            else { continue }
            cluster.map = map
            cluster.isStale = false
            return true
        }
        return false
    }

    /// `CLUSTER SLOTS` on one socket, opened if needed within the connect timeout.
    func slotsReply(on link: NodeLink) throws -> RedisReply {
        try link.open(timeout: configuration.connectTimeout)
        try link.append(RedisCommand("CLUSTER", "SLOTS"))
        return try NodeLink.withBrokenPipeSuppressed { try link.readReply() }
    }
}

/// The time a cluster call may spend waiting for a slot to become servable again, with exponential backoff.
/// The clock starts at the first wait, so a healthy call pays nothing.
struct RetryBudget {
    /// The total time waits may take.
    let limit: Duration
    private var deadline: ContinuousClock.Instant?
    private var backoff = Duration.milliseconds(10)

    init(limit: Duration) { self.limit = limit }

    /// What is left (all of it before the first wait).
    var remaining: Duration {
        guard let deadline else { return limit }
        return max(deadline - .now, .milliseconds(1))
    }

    /// Sleeps before the next attempt, or throws when the budget is spent; `problem` says why the call waits.
    mutating func wait(because problem: RedisReply) throws {
        let now = ContinuousClock.now
        let deadline = self.deadline ?? now + limit
        self.deadline = deadline
        guard now + backoff <= deadline else {
            throw RedisError(
                .connectionFailed,
                "Redis Cluster could not serve the command within \(limit): \(problem.errorMessage)")
        }
        RedisConnection.sleep(for: backoff)
        backoff = min(backoff * 2, .milliseconds(100))
    }
}

extension RedisReply {
    /// The text of an error reply, or a description of any other reply.
    fileprivate var errorMessage: String {
        if case .error(let message) = self { return message }
        return "\(self)"
    }
}
