import Foundation
import MaestroDomain
import MaestroStore
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

    /// One writer's outcome: the transitions it saw acknowledged.
    final class Acknowledged: @unchecked Sendable {
        // @unchecked: each writer thread writes only its own slot; read after all threads are joined.
        var notes: [[String]]
        init(writers: Int) { notes = Array(repeating: [], count: writers) }
    }

    @Test("every acknowledged transition survives, none twice, versions contiguous, one event per change")
    func killedUnderLoad() throws {
        let redis = try RedisTestServer(arguments: ["--appendonly", "yes", "--appendfsync", "always"])
        defer { redis.stop() }
        let setup = redis.connect()
        try FunctionLibrary.install(on: setup)
        let scope = try ProjectScope(projectId: "crash", streamMaxLength: 0)
        var work: [(task: String, session: SessionCredentials)] = []
        for index in 0..<Self.writers {
            let task = try setup.run(CreateTask(scope: scope, taskId: "task_\(index)", title: "Task \(index)")).task
            let session = SessionCredentials(sessionId: "sess_\(index)", token: RandomIdentifier.token())
            _ = try setup.run(SpawnSession(scope: scope, credentials: session, spawnSource: .ui, taskIds: [task.id]))
            work.append((task.id, session))
        }
        let eventsBefore = try setup.events(in: scope, after: "0-0", count: 1_000_000).count

        let acknowledged = Acknowledged(writers: Self.writers)
        let done = DispatchGroup()
        let progress = ManagedAtomicCounter()
        for (index, item) in work.enumerated() {
            done.enter()
            Thread.detachNewThread {
                defer { done.leave() }
                var configuration = redis.configuration
                configuration.connectTimeout = .milliseconds(300)
                configuration.commandTimeout = .seconds(5)
                let connection = RedisConnection(configuration)
                for step in 0..<Self.transitionsPerWriter {
                    let notes = "w\(index)-\(step)"
                    let operation = UpdateProgress(
                        scope: scope, session: item.session, taskId: item.task,
                        status: step % 2 == 0 ? .working : .blocked, notes: notes, idempotencyKey: notes)
                    let deadline = ContinuousClock.now + .seconds(60)
                    while ContinuousClock.now < deadline {
                        do {
                            _ = try connection.run(operation)
                            acknowledged.notes[index].append(notes)
                            progress.increment()
                            break
                        } catch is RedisError {
                            usleep(20_000)  // Redis is down or restarting: the same call, the same key, again
                        } catch {
                            Issue.record("writer \(index) step \(step): \(error)")
                            return
                        }
                    }
                }
            }
        }
        while progress.value < 3000 { usleep(1000) }
        redis.crash()
        let acknowledgedAtCrash = progress.value
        usleep(500_000)
        try redis.restart()
        #expect(done.wait(timeout: .now() + 300) == .success, "writers finished")

        let check = redis.connect()
        let events = try check.events(in: scope, after: "0-0", count: 1_000_000).dropFirst(eventsBefore)
        var applied: [String: Int] = [:]
        var versions: [String: [Int]] = [:]
        for event in events {
            let body = payload(event)
            if event.type == .taskSessionStatus, let notes = body["notes"] as? String {
                applied[notes, default: 0] += 1
            }
            if let taskId = (body["taskId"] as? String) ?? ((body["task"] as? [String: Any])?["id"] as? String),
                let version = (body["version"] as? Int) ?? ((body["task"] as? [String: Any])?["version"] as? Int)
            {
                versions[taskId, default: []].append(version)
            }
        }
        let acknowledgedAll = acknowledged.notes.flatMap { $0 }
        let lost = acknowledgedAll.filter { applied[$0] == nil }
        let duplicated = applied.filter { $0.value > 1 }
        #expect(acknowledgedAll.count == Self.writers * Self.transitionsPerWriter)
        #expect(lost.isEmpty, "acknowledged but missing after the crash: \(lost.prefix(10))")
        #expect(duplicated.isEmpty, "applied twice: \(duplicated.prefix(10))")
        #expect(applied.count == acknowledgedAll.count, "one event per applied change")
        for (index, item) in work.enumerated() {
            let task = try check.run(GetTask(scope: scope, taskId: item.task))
            let seen = versions[item.task] ?? []
            // Versions 3… (1 created, 2 queued): one per change, no gap, none twice; the first working also starts
            // the task (one more version).
            #expect(seen == Array(3...task.version), "task \(index): versions \(seen.prefix(5))… up to \(task.version)")
            #expect(task.version == 2 + Self.transitionsPerWriter + 1)
        }
        print(
            "crash-recovery: \(acknowledgedAll.count) transitions acknowledged by \(Self.writers) writers "
                + "(\(acknowledgedAtCrash) before the kill), \(applied.count) found after restart, \(lost.count) lost, "
                + "\(duplicated.count) applied twice")
    }
}

/// A counter several threads bump.
final class ManagedAtomicCounter: @unchecked Sendable {
    // @unchecked: guarded by `lock`.
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
