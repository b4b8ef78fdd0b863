extension RedisConnection {
    /// Reads the whole slot map from the first node that answers: home, then every node the map knows, then the
    /// configured ones — those with an open socket first, since they cost no connect and are likely alive. Keeps
    /// the old map (still stale) when none answers. Never uses a socket in subscribe mode (which refuses other
    /// commands): such a node is asked over a short-lived socket of its own.
    @discardableResult
    func refreshSlotMap() -> Bool {
        guard let cluster else { return false }
        cluster.noteRefreshAttempt()
        var candidates: [NodeLink] = []
        for endpoint in [home.endpoint] + cluster.map.nodes + [configuration.endpoint]
            + configuration.additionalEndpoints where !candidates.contains(where: { $0.endpoint == endpoint })
        {
            let link =
                endpoint == home.endpoint
                ? home : cluster.link(to: endpoint, configuration: configuration, sockets: sockets)
            candidates.append(link)
        }
        let ready = candidates.filter { $0.isOpen && !$0.isSubscribed }
        for var link in ready + candidates.filter({ !($0.isOpen && !$0.isSubscribed) }) {
            let endpoint = link.endpoint
            let temporary = link.isSubscribed
            if temporary { link = NodeLink(endpoint: endpoint, configuration: configuration, sockets: sockets) }
            defer { if temporary { link.close() } }
            guard let reply = try? slotsReply(on: link),
                let map = try? ClusterSlotMap(slotsReply: reply, from: endpoint),
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
