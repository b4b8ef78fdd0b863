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
        /// `-MOVED` and `-ASK` followed so far (waits for `-TRYAGAIN` and `-CLUSTERDOWN` are bounded by time).
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
            if try redirected(&command, redirect, firstReplies[command.index]) {
                work.append(command)
            } else {
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
        var round = RoutingRound()
        while !work.isEmpty {
            guard let cluster else { preconditionFailure("routing without a cluster") }
            if cluster.isStale && cluster.mayRefresh { refreshSlotMap() }
            round.start()
            var sent: [(link: NodeLink, commands: [RoutedCommand])] = []
            do {
                try NodeLink.withBrokenPipeSuppressed {
                    try send(grouped(work, avoidingHome: round.avoidHome), of: commands, &round, retry, into: &sent)
                    for (link, routed) in sent {
                        for command in routed { try receive(command, of: commands, from: link, into: &replies, &round) }
                    }
                }
            } catch {
                // Replies still unread on other sockets would be taken for later commands' replies: drop them.
                for (link, _) in sent { link.close() }
                cluster.isStale = true
                throw error
            }
            if !round.later.isEmpty, let problem = round.problem { try retry.wait(because: problem) }
            work = round.next + round.later
        }
    }

    /// What one round of `route` leaves to do.
    private struct RoutingRound {
        /// Redirected by `-MOVED` or `-ASK`: they go again at once.
        var next: [RoutedCommand] = []
        /// Not served now (an unreachable node, `-TRYAGAIN`, `-CLUSTERDOWN`): they go again after a backoff.
        var later: [RoutedCommand] = []
        /// Why the last of `later` waits, for the error when waiting runs out.
        var problem: RedisReply?
        /// Set once the home node could not be reached: keyless commands go to another primary.
        var avoidHome = false

        mutating func start() {
            next.removeAll()
            later.removeAll()
            problem = nil
        }
    }

    /// The commands by socket, each socket's in pipeline order.
    private func grouped(
        _ work: [RoutedCommand], avoidingHome: Bool
    ) -> [(link: NodeLink, commands: [RoutedCommand])] {
        var groups: [(link: NodeLink, commands: [RoutedCommand])] = []
        for command in work {
            let link = self.link(for: command.target, avoidingHome: avoidingHome)
            if let group = groups.firstIndex(where: { $0.link === link }) {
                groups[group].commands.append(command)
            } else {
                groups.append((link, [command]))
            }
        }
        return groups
    }

    /// Opens each group's socket and writes its commands (every socket is written before any is read); a socket
    /// that cannot be opened leaves its commands for later, since nothing was sent. `sent` lists the groups
    /// written to (or being written to, when writing fails), whose replies must be read or their sockets closed.
    private func send(
        _ groups: [(link: NodeLink, commands: [RoutedCommand])], of commands: [RedisCommand],
        _ round: inout RoutingRound, _ retry: RetryBudget,
        into sent: inout [(link: NodeLink, commands: [RoutedCommand])]
    ) throws {
        for group in groups {
            do {
                try group.link.open(timeout: min(configuration.connectTimeout, retry.remaining))
            } catch let error as RedisError where error.code == .connectionFailed {
                // The node is down (a failover?): read the map again and retry.
                cluster?.isStale = true
                if group.link === home { round.avoidHome = true }
                round.problem = .error("cannot reach \(group.link.endpoint): \(error.message)")
                for var command in group.commands {
                    command.target = command.routedTarget
                    round.later.append(command)
                }
                continue
            }
            for command in group.commands {
                if command.asking { try group.link.append(Self.asking) }
                try group.link.append(commands[command.index])
            }
            sent.append(group)
            try group.link.flush()
        }
    }

    /// Reads one command's reply: its final reply, or a redirect that puts it back into `round`.
    private func receive(
        _ command: RoutedCommand, of commands: [RedisCommand], from link: NodeLink,
        into replies: inout [RedisReply?], _ round: inout RoutingRound
    ) throws {
        if command.asking { _ = try reply(to: Self.asking, on: link) }
        let reply = try reply(to: commands[command.index], on: link)
        guard case .error(let message) = reply, let redirect = ClusterRedirect(error: message, from: link.endpoint)
        else {
            replies[command.index] = reply
            lastAnswered = link.endpoint
            return
        }
        var command = command
        if try redirected(&command, redirect, reply) {
            round.next.append(command)
        } else {
            round.problem = reply
            round.later.append(command)
        }
    }

    /// Applies a redirect to `command`; true when it can go again at once, false when it must wait (backoff).
    private func redirected(
        _ command: inout RoutedCommand, _ redirect: ClusterRedirect, _ reply: RedisReply
    ) throws -> Bool {
        if case .moved = redirect { command.redirects += 1 }
        if case .ask = redirect { command.redirects += 1 }
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
}

extension RedisReply {
    /// The text of an error reply, or a description of any other reply.
    var errorMessage: String {
        if case .error(let message) = self { return message }
        return "\(self)"
    }
}
