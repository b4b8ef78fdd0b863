import Foundation
import MaestroStore
import RedisClient
import RedisTestSupport
import Synchronization

/// `maestro-bench --shards`: transitions per second with three projects on one Redis, and with the same three
/// projects on a 3-primary Redis Cluster (one project per primary), in the same run, with the same writers (a
/// blocking connection per thread, as agents' CLIs). Rounds alternate; medians are reported with the CPU each
/// redis-server used, which shows where the ceiling is on this machine.
struct ShardScaling {
    static let projects = 3
    let writersPerProject: Int
    let seconds: Double
    let rounds: Int

    struct Measurement {
        var rate: Double
        /// CPU seconds per wall second of each redis-server (one, or one per primary).
        var serverCores: [Double]
    }

    func run() throws -> String {
        let single = try RedisTestServer()
        defer { single.stop() }
        let cluster = try RedisTestCluster(primaries: Self.projects)
        defer { cluster.stop() }
        let singleFixtures = try fixtures(
            on: single.configuration, projectIds: (0..<Self.projects).map { "shard-\($0)" })
        let clusterFixtures = try fixtures(on: cluster.configuration, projectIds: try onePerPrimary(cluster))
        var singleRounds: [Measurement] = []
        var clusterRounds: [Measurement] = []
        for round in 0..<rounds {
            let first = round % 2 == 0
            if first { singleRounds.append(try measure(single.configuration, [single.configuration], singleFixtures)) }
            clusterRounds.append(
                try measure(cluster.configuration, cluster.nodes.map { cluster.configuration(of: $0) }, clusterFixtures)
            )
            if !first { singleRounds.append(try measure(single.configuration, [single.configuration], singleFixtures)) }
        }
        let one = median(singleRounds), three = median(clusterRounds)
        let writers = writersPerProject * Self.projects
        func cores(_ values: [Double]) -> String { values.map { String(format: "%.2f", $0) }.joined(separator: " / ") }
        return """
            D. Shards: \(writers) writers (\(writersPerProject) per project, 3 projects), \(seconds) s per round, \
            \(rounds) rounds per side; medians
            side                               transitions/s   redis-server CPU cores
            one Redis                          \(String(format: "%13.0f", one.rate))   \(cores(one.serverCores))
            3-primary cluster, 1 project each  \(String(format: "%13.0f", three.rate))   \(cores(three.serverCores))
            cluster ÷ one Redis: \(String(format: "%.2f", three.rate / one.rate))
            {"shards":{"single":\(Int(one.rate)),"cluster":\(Int(three.rate)),"ratio":\(String(format: "%.3f", three.rate / one.rate)),"writers":\(writers)}}
            """
    }

    /// Project ids whose slots are served by different primaries.
    private func onePerPrimary(_ cluster: RedisTestCluster) throws -> [String] {
        var chosen: [RedisTestCluster.Node: String] = [:]
        var index = 0
        while chosen.count < Self.projects {
            let projectId = "shard-\(index)"
            let primary = try cluster.primary(forSlot: HashSlot.of(try ProjectScope(projectId: projectId).eventStream))
            if chosen[primary] == nil { chosen[primary] = projectId }
            index += 1
        }
        return chosen.values.sorted()
    }

    private func fixtures(on configuration: RedisConfiguration, projectIds: [String]) throws -> [BenchFixture] {
        let connection = RedisConnection(configuration)
        try FunctionLibrary.install(on: connection)
        return try projectIds.map { projectId in
            try BenchFixture.prepare(
                scope: try ProjectScope(projectId: projectId, streamMaxLength: 10_000), title: projectId,
                on: connection)
        }
    }

    /// Runs the writers for `seconds` and counts the acknowledged transitions.
    private func measure(
        _ configuration: RedisConfiguration, _ servers: [RedisConfiguration], _ fixtures: [BenchFixture]
    ) throws -> Measurement {
        let cpuBefore = try servers.map(Self.serverCPU)
        let count = Atomic<Int>(0)
        let failure = Mutex<(any Error)?>(nil)
        let stop = Atomic<Bool>(false)
        let done = DispatchGroup()
        let start = ContinuousClock.now
        for fixture in fixtures {
            for _ in 0..<writersPerProject {
                done.enter()
                let transition = fixture.transition
                Thread.detachNewThread {
                    defer { done.leave() }
                    let connection = RedisConnection(configuration)
                    do {
                        while !stop.load(ordering: .relaxed) {
                            _ = try connection.run(transition)
                            count.add(1, ordering: .relaxed)
                        }
                    } catch {
                        failure.withLock { $0 = error }
                    }
                }
            }
        }
        Thread.sleep(forTimeInterval: seconds)
        stop.store(true, ordering: .relaxed)
        done.wait()
        let elapsed = (ContinuousClock.now - start) / .seconds(1)
        if let error = failure.withLock({ $0 }) { throw error }
        let cpuAfter = try servers.map(Self.serverCPU)
        return Measurement(
            rate: Double(count.load(ordering: .relaxed)) / elapsed,
            serverCores: zip(cpuBefore, cpuAfter).map { ($1 - $0) / elapsed })
    }

    private static func serverCPU(_ configuration: RedisConfiguration) throws -> Double {
        try CPUTime.now(of: .thisProcess, server: RedisConnection(configuration)).server
    }

    private func median(_ measurements: [Measurement]) -> Measurement {
        measurements.sorted { $0.rate < $1.rate }[measurements.count / 2]
    }
}
