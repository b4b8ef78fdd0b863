import Foundation
import RedisClient

extension RedisTestCluster {
    /// Moves one slot and its keys to `target` while the cluster keeps serving, the way
    /// `redis-cli --cluster reshard --cluster-pipeline <batchSize>` does: `beginSlotMigration`, `migrateKeys`,
    /// `completeSlotMigration`. With `batchSize` nil every key of the slot goes in one MIGRATE, so the slot's keys
    /// are never split between the two nodes — what Maestro's functions, which touch more keys than they declare,
    /// need (docs/scaling.md).
    public func moveSlot(_ slot: Int, to target: Node, batchSize: Int? = nil) throws {
        guard try primary(forSlot: slot) != target else { return }
        try beginSlotMigration(slot, to: target)
        try migrateKeys(inSlot: slot, to: target, batchSize: batchSize)
        try completeSlotMigration(slot, to: target)
    }

    /// Moves `slots` slots from `source` to `target` with the operator's tool, `redis-cli --cluster reshard` (it
    /// takes the source's lowest slots first), each slot's keys in batches of `pipeline`; waits until every live
    /// node agrees on the new map.
    public func reshard(from source: Node, to target: Node, slots: Int, pipeline: Int) throws {
        try redisCLI([
            "--cluster", "reshard", source.description, "--cluster-from", try nodeID(source),
            "--cluster-to", try nodeID(target), "--cluster-slots", String(slots), "--cluster-pipeline",
            String(pipeline), "--cluster-yes",
        ])
        try waitUntilStable()
    }

    /// Marks `slot` IMPORTING on `target` and MIGRATING on its current primary. From now on the source answers
    /// `-ASK` for the slot's keys it no longer has, and `-TRYAGAIN` for multi-key commands it holds only part of.
    public func beginSlotMigration(_ slot: Int, to target: Node) throws {
        let source = try primary(forSlot: slot)
        _ = try admin(target).send(RedisCommand("CLUSTER", "SETSLOT", String(slot), "IMPORTING", try nodeID(source)))
        _ = try admin(source).send(RedisCommand("CLUSTER", "SETSLOT", String(slot), "MIGRATING", try nodeID(target)))
    }

    /// MIGRATEs keys of a slot being migrated from its source to `target`: the given ones, or (nil) all that are
    /// left, in batches of `batchSize` (nil: all in one).
    public func migrateKeys(
        _ keys: [String]? = nil, inSlot slot: Int, to target: Node, batchSize: Int? = 100
    ) throws {
        let source = admin(try primary(forSlot: slot))
        func migrate(_ batch: [[UInt8]]) throws {
            guard !batch.isEmpty else { return }
            let auth = password.map { ["AUTH", $0] } ?? []
            let head = (["MIGRATE", "127.0.0.1", String(target.port), "", "0", "5000"] + auth + ["KEYS"])
                .map { Array($0.utf8) }
            _ = try source.send(RedisCommand(arguments: head + batch))
        }
        if let keys {
            try migrate(keys.map { Array($0.utf8) })
            return
        }
        while true {
            let count =
                try batchSize ?? Int(source.send(RedisCommand("CLUSTER", "COUNTKEYSINSLOT", String(slot))).integer ?? 0)
            let reply = try source.send(RedisCommand("CLUSTER", "GETKEYSINSLOT", String(slot), String(max(count, 1))))
            let batch = (reply.array ?? []).compactMap { reply -> [UInt8]? in
                if case .bulk(let bytes) = reply { return bytes }
                return nil
            }
            if batch.isEmpty { return }
            try migrate(batch)
        }
    }

    /// Gives `slot` to `target` on the target, the source and every other primary (`CLUSTER SETSLOT … NODE`), and
    /// waits until every live node agrees. The source drops the slot's shard-channel subscribers (they get
    /// `sunsubscribe`).
    public func completeSlotMigration(_ slot: Int, to target: Node) throws {
        let source = try primary(forSlot: slot)
        let targetID = try nodeID(target)
        let others = try primaries().filter { $0 != target && $0 != source }
        for node in [target, source] + others {
            _ = try admin(node).send(RedisCommand("CLUSTER", "SETSLOT", String(slot), "NODE", targetID))
        }
        try waitUntil(ContinuousClock.now + .seconds(10), "every node to give slot \(slot) to \(target)") {
            try liveNodes.allSatisfy { node in
                try slotTable(from: node).contains { $0.slots.contains(slot) && $0.primary == target.port }
            }
        }
    }
}
