/// A cluster node's answer that a command was NOT executed and where (or when) to send it instead.
///
/// Every one of these means the node did nothing, so resending the command is always safe.
enum ClusterRedirect: Equatable {
    /// `-MOVED <slot> <host>:<port>`: the slot lives elsewhere for good; the slot map is out of date.
    case moved(slot: Int, to: RedisConfiguration.Endpoint)
    /// `-ASK <slot> <host>:<port>`: this one command must go to the importing node, preceded by `ASKING`;
    /// the slot map does not change.
    case ask(slot: Int, to: RedisConfiguration.Endpoint)
    /// `-TRYAGAIN`: a multi-key command met a slot half-way through migration; try again shortly.
    case tryAgain
    /// `-CLUSTERDOWN`: the cluster (or this slot) is not served right now, e.g. during a failover.
    case clusterDown

    /// Reads an error reply; nil when it is an ordinary error. `node` is the endpoint that answered, whose host
    /// stands in when the reply names only a port (a node that does not know its own address).
    init?(error message: String, from node: RedisConfiguration.Endpoint) {
        if message.hasPrefix("MOVED ") || message.hasPrefix("ASK ") {
            let parts = message.split(separator: " ")
            guard parts.count == 3, let slot = Int(parts[1]), (0..<HashSlot.count).contains(slot),
                let colon = parts[2].lastIndex(of: ":"), let port = Int(parts[2][parts[2].index(after: colon)...])
            else { return nil }
            var host = String(parts[2][..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            if host.isEmpty, case .tcp(let answering, _) = node { host = answering }
            let target = RedisConfiguration.Endpoint.tcp(host: host, port: port)
            self = parts[0] == "MOVED" ? .moved(slot: slot, to: target) : .ask(slot: slot, to: target)
        } else if message.hasPrefix("TRYAGAIN") {
            self = .tryAgain
        } else if message.hasPrefix("CLUSTERDOWN") {
            self = .clusterDown
        } else {
            return nil
        }
    }

    /// Whether `reply` is an error reply that could be a redirect; cheap enough to run on every reply.
    static func mightBe(_ reply: RedisReply) -> Bool {
        guard case .error(let message) = reply, let first = message.utf8.first else { return false }
        return first == UInt8(ascii: "M") || first == UInt8(ascii: "A") || first == UInt8(ascii: "T")
            || first == UInt8(ascii: "C")
    }
}
