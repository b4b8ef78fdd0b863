import RedisClient

extension RedisConnection {
    /// The keys matching `pattern` on every primary (one node's `KEYS` sees only that node's slots on a cluster).
    public func keysEverywhere(_ pattern: String) throws -> [String] {
        try sendToEveryPrimary(RedisCommand("KEYS", pattern)).flatMap { $0.reply.array ?? [] }.compactMap(\.string)
    }

    /// The number of keys on every primary together.
    public func keyCountEverywhere() throws -> Int {
        try sendToEveryPrimary(RedisCommand("DBSIZE")).reduce(0) { $0 + Int($1.reply.integer ?? 0) }
    }
}
