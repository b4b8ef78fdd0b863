extension RedisConnection {
    /// Runs a keyless command on every primary of a cluster, or once on a single Redis: for what each shard
    /// needs on its own, such as `FUNCTION LOAD` and the checks that the library is there.
    ///
    /// Asks the node first whether it is part of a cluster (`CLUSTER SLOTS`; a single Redis answers "cluster
    /// support disabled"), and in a cluster reads the slot map afresh, so the primaries are the current ones. The
    /// command is written to every primary before any reply is read. Error replies stay in place as `.error`;
    /// a primary that cannot be reached throws.
    ///
    /// - Returns: each node (`host:port`) with its reply, in the order of the slots they serve.
    public func sendToEveryPrimary(_ command: RedisCommand) throws -> [(node: String, reply: RedisReply)] {
        if cluster == nil {
            try connect()
            let probe = try slotsReply(on: home)
            if case .error(let message) = probe {
                guard message.contains("cluster support disabled") else { throw RedisError(.server, message) }
                return [(home.endpoint.description, try pipeline([command])[0])]
            }
            let map = try ClusterSlotMap(slotsReply: probe, from: home.endpoint)
            cluster = ClusterTopology(map: map, isStale: map.isEmpty)
        } else if !refreshSlotMap() {
            throw RedisError(.connectionFailed, "cannot read the Redis Cluster's slot map from any known node")
        }
        guard let primaries = cluster?.map.primaries, !primaries.isEmpty else {
            throw RedisError(.protocolError, "the Redis Cluster reported no primary serving any slot")
        }
        let replies = try pipeline(to: primaries, command)
        return zip(primaries, replies).map { ($0.description, $1) }
    }
}
