import BenchReporting
import MaestroStore
import RedisClient
import RedisTestSupport

/// Where the store's time goes at concurrency 1 (`--breakdown`): the same transition made four ways, from bare
/// hiredis on the calling thread up to the full `pool.run`, so a ratio below target can be explained.
enum StoreBreakdown {
    /// One way of making the call, with its throughput (calls per second) per repeat.
    struct Variant {
        var name: String
        var throughWorkerThread: Bool
        var decoded: Bool
        var rates: [Double] = []
    }

    static func measure(
        _ fixture: BenchFixture, configuration: RedisConfiguration, count: Int, repeats: Int
    ) throws -> [Variant] {
        let transition = fixture.transition
        let command = transition.command
        let direct = RedisConnection(configuration)
        let pool = RedisConnectionPool(configuration: configuration, size: 1)
        defer { pool.shutdown() }

        var variants = [
            Variant(name: "hiredis on the calling thread, raw reply", throughWorkerThread: false, decoded: false),
            Variant(name: "connection.run on the calling thread", throughWorkerThread: false, decoded: true),
            Variant(name: "pool.withConnection, raw reply", throughWorkerThread: true, decoded: false),
            Variant(name: "pool.run (the async API a server uses)", throughWorkerThread: true, decoded: true),
        ]
        for _ in 0..<repeats {
            for index in variants.indices {
                let decoded = variants[index].decoded
                let rate: Double
                if variants[index].throughWorkerThread {
                    // One task loops, as a store worker does: every call hops to the pool's thread and back.
                    rate = try MainThreadWait.run {
                        let start = ContinuousClock.now
                        for _ in 0..<count {
                            if decoded {
                                _ = try await pool.run(transition)
                            } else {
                                _ = try await pool.withConnection { try $0.pipeline([command]) }
                            }
                        }
                        return Double(count) / (ContinuousClock.now - start).seconds
                    }
                } else {
                    let start = ContinuousClock.now
                    for _ in 0..<count {
                        if decoded { _ = try direct.run(transition) } else { _ = try direct.pipeline([command]) }
                    }
                    rate = Double(count) / (ContinuousClock.now - start).seconds
                }
                variants[index].rates.append(rate)
            }
        }
        return variants
    }
}
