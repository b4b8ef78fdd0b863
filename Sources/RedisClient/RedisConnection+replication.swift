extension RedisConnection {
    /// Waits until the writes this connection made on the node that answered its last command have reached
    /// `replicas` replicas, or `timeout` passed (`WAIT`), and returns how many replicas have them.
    ///
    /// Redis replicates asynchronously: a primary that fails right after acknowledging a write may take it with
    /// it. After a write, waiting for one replica means the write survives a failover to that replica.
    public func waitForReplicas(_ replicas: Int, timeout: Duration) throws -> Int {
        let milliseconds = max(1, Int(timeout / .milliseconds(1)))
        let command = RedisCommand("WAIT", String(replicas), String(milliseconds))
        let reply: RedisReply
        if cluster != nil, let node = lastAnswered {
            reply = try pipeline(to: [node], command)[0]
        } else {
            reply = try pipeline([command])[0]
        }
        if case .error(let message) = reply { throw RedisError(.server, message) }
        guard let count = reply.integer else {
            throw RedisError(.protocolError, "WAIT answered \(reply) instead of a number of replicas")
        }
        return Int(count)
    }
}
