import Foundation
import RedisClient

extension RedisTestCluster {
    /// The primary serving `slot`, as the first live node reports it.
    public func primary(forSlot slot: Int) throws -> Node {
        let table = try slotTable(from: liveNodes.first ?? nodes[0])
        guard let range = table.first(where: { $0.slots.contains(slot) }), let node = node(port: range.primary)
        else { throw failure("no node serves slot \(slot)") }
        return node
    }

    /// The primaries serving slots, as the first live node reports them, in slot order.
    public func primaries() throws -> [Node] {
        var seen: [Node] = []
        for range in try slotTable(from: liveNodes.first ?? nodes[0]) {
            if let node = node(port: range.primary), !seen.contains(node) { seen.append(node) }
        }
        return seen
    }

    /// A key (`<prefix>-<n>`) whose slot `node` serves, to aim a test at one shard.
    public func key(servedBy node: Node, prefix: String = "key") throws -> String {
        let table = try slotTable(from: liveNodes.first ?? nodes[0])
        guard table.contains(where: { $0.primary == node.port }) else { throw failure("\(node) serves no slot") }
        for index in 0... {
            let key = "\(prefix)-\(index)"
            let slot = HashSlot.of(key)
            if table.contains(where: { $0.slots.contains(slot) && $0.primary == node.port }) { return key }
        }
        fatalError("unreachable")
    }

    /// The replicas of `primary`, as the first live node reports them.
    public func replicas(of primary: Node) throws -> [Node] {
        let table = try slotTable(from: liveNodes.first ?? nodes[0])
        return table.first { $0.primary == primary.port }?.replicas.compactMap(node(port:)) ?? []
    }

    /// The sum, over the live nodes, of how many times each answered with an error of `prefix` (`MOVED`, `ASK`,
    /// `TRYAGAIN`, `CLUSTERDOWN`), from `INFO errorstats`.
    public func errorCount(_ prefix: String) throws -> Int {
        var total = 0
        for node in liveNodes {
            let info = try admin(node).send(RedisCommand("INFO", "errorstats")).string ?? ""
            for line in info.split(whereSeparator: \.isNewline) where line.hasPrefix("errorstat_\(prefix):count=") {
                total += Int(line.split(separator: "=").last ?? "") ?? 0
            }
        }
        return total
    }

    /// One row of `CLUSTER SLOTS`, by port.
    struct SlotRange: Equatable {
        var slots: ClosedRange<Int>
        var primary: Int
        var replicas: [Int]
    }

    /// A node's `CLUSTER SLOTS`, sorted by slot.
    func slotTable(from node: Node) throws -> [SlotRange] {
        let reply = try admin(node).send(RedisCommand("CLUSTER", "SLOTS"))
        var table: [SlotRange] = []
        for row in reply.array ?? [] {
            guard let fields = row.array, fields.count >= 3, let start = fields[0].integer, let end = fields[1].integer
            else { throw failure("unexpected CLUSTER SLOTS row from \(node): \(row)") }
            let ports = fields.dropFirst(2).compactMap { $0.array?[1].integer.map(Int.init) }
            table.append(
                SlotRange(slots: Int(start)...Int(end), primary: ports[0], replicas: ports.dropFirst().sorted()))
        }
        return table.sorted { $0.slots.lowerBound < $1.slots.lowerBound }
    }
}
