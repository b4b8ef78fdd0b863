/// Which primary serves each of the 16384 hash slots, plus every node the cluster reported (for refreshing the
/// map when some of them are gone), as read from `CLUSTER SLOTS`.
struct ClusterSlotMap {
    typealias Endpoint = RedisConfiguration.Endpoint

    /// The primaries, in the order of the first slot each serves.
    private(set) var primaries: [Endpoint] = []
    /// The replicas, for asking about the map when primaries are down.
    private(set) var replicas: [Endpoint] = []
    /// Per slot, an index into `primaries`, or `unassigned`.
    private var owners = [UInt16](repeating: unassigned, count: HashSlot.count)
    private static let unassigned = UInt16.max

    /// An empty map: every slot unassigned.
    init() {}

    /// Reads a `CLUSTER SLOTS` reply: `[[start, end, [host, port, id, …], replica…], …]`.
    ///
    /// An empty host stands for the host of the node that answered (`node`); a `?` host (unknown endpoint) leaves
    /// its slots unassigned, so commands for them go wherever the connection is and follow `-MOVED`.
    init(slotsReply reply: RedisReply, from node: Endpoint) throws {
        guard let ranges = reply.array else {
            throw RedisError(.protocolError, "CLUSTER SLOTS from \(node) is not an array: \(reply)")
        }
        for range in ranges {
            guard let fields = range.array, fields.count >= 3, let start = fields[0].integer,
                let end = fields[1].integer, 0 <= start, start <= end, end < HashSlot.count
            else { throw RedisError(.protocolError, "unexpected CLUSTER SLOTS entry from \(node): \(range)") }
            guard let primary = Self.endpoint(fields[2], from: node) else { continue }
            for slot in Int(start)...Int(end) { assign(slot: slot, to: primary) }
            for replica in fields.dropFirst(3).compactMap({ Self.endpoint($0, from: node) })
            where !replicas.contains(replica) {
                replicas.append(replica)
            }
        }
    }

    /// The primary serving `slot`, if known.
    func primary(forSlot slot: Int) -> Endpoint? {
        let index = owners[slot]
        return index == Self.unassigned ? nil : primaries[Int(index)]
    }

    /// Whether no slot is assigned.
    var isEmpty: Bool { primaries.isEmpty }

    /// Every node reported, primaries first.
    var nodes: [Endpoint] { primaries + replicas.filter { !primaries.contains($0) } }

    /// Records that `slot` is served by `primary` (what `-MOVED` says), adding the node if it is new.
    mutating func assign(slot: Int, to primary: Endpoint) {
        let index: Int
        if let known = primaries.firstIndex(of: primary) {
            index = known
        } else {
            primaries.append(primary)
            index = primaries.count - 1
        }
        owners[slot] = UInt16(index)
    }

    /// `[host, port, …]`; nil when the node's address is unknown.
    private static func endpoint(_ reply: RedisReply, from node: Endpoint) -> Endpoint? {
        guard let fields = reply.array, fields.count >= 2, var host = fields[0].string,
            let port = fields[1].integer, port > 0
        else { return nil }
        if host.isEmpty, case .tcp(let answering, _) = node { host = answering }
        guard !host.isEmpty, host != "?" else { return nil }
        return .tcp(host: host, port: Int(port))
    }
}
