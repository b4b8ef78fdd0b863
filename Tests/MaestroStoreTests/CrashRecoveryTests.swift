import Foundation
import MaestroDomain
import MaestroStore
import MaestroTestSupport
import RedisClient
import RedisTestSupport
import Testing

/// kill -9 of redis-server (AOF, appendfsync always) in the middle of 10,240 transitions from 16 writers that
/// retry with their idempotency keys: nothing acknowledged is lost, nothing is applied twice, versions stay
/// contiguous and the stream holds exactly one event per applied change.
@Suite("Redis killed under load")
struct CrashRecoveryTests {
    static let writers = 16
    static let transitionsPerWriter = 640

    @Test("every acknowledged transition survives, none twice, versions contiguous, one event per change")
    func killedUnderLoad() throws {
        let redis = try RedisTestServer(arguments: ["--appendonly", "yes", "--appendfsync", "always"])
        defer { redis.stop() }
        let setup = redis.connect()
        try FunctionLibrary.install(on: setup)
        let load = try TransitionLoad(projectId: "crash", writers: Self.writers, setup: setup)
        let cursor = try setup.events(in: load.scope, count: 1_000_000).last!.id

        var configuration = redis.configuration
        configuration.connectTimeout = .milliseconds(300)
        configuration.commandTimeout = .seconds(5)
        load.start(steps: Self.transitionsPerWriter, configuration: configuration)
        load.waitUntilAcknowledged(3000)
        redis.crash()
        let acknowledgedAtCrash = load.acknowledgedCount
        usleep(500_000)
        try redis.restart()
        #expect(load.wait(), "writers finished")

        let check = redis.connect()
        let outcome = try load.verify(check, after: cursor)
        #expect(outcome.failures.isEmpty, "\(outcome.failures.prefix(3))")
        #expect(outcome.acknowledged == Self.writers * Self.transitionsPerWriter)
        #expect(outcome.lost.isEmpty, "acknowledged but missing after the crash: \(outcome.lost.prefix(10))")
        #expect(outcome.duplicated == 0, "none applied twice")
        #expect(outcome.events == outcome.acknowledged, "one event per applied change")
        for index in 0..<Self.writers {
            let task = try check.run(GetTask(scope: load.scope, taskId: "task_\(index)"))
            let seen = outcome.versions[task.id] ?? []
            // Versions 3… (1 created, 2 queued): one per change, no gap, none twice; the first working also starts
            // the task (one more version).
            #expect(seen == Array(3...task.version), "task \(index): versions \(seen.prefix(5))… up to \(task.version)")
            #expect(task.version == 2 + Self.transitionsPerWriter + 1)
        }
        print(
            "crash-recovery: \(outcome.acknowledged) transitions acknowledged by \(Self.writers) writers "
                + "(\(acknowledgedAtCrash) before the kill), \(outcome.found) found after restart, "
                + "\(outcome.lost.count) lost, \(outcome.duplicated) applied twice")
    }
}
