import Foundation
import MaestroDomain
import MaestroStore
import RedisClient
import RedisTestSupport

/// Agents updating their progress on a project, each on its own thread and connection, while a test breaks
/// something: every call carries an idempotency key and is sent again with the same key after a transport error,
/// as the CLI does. Afterwards `verify` compares what was acknowledged with what the stream holds.
public final class TransitionLoad: @unchecked Sendable {
    // @unchecked: each writer appends only to its own slot of `acknowledged`, read after `wait()`; `lock` guards
    // the counter and the errors.
    public let scope: ProjectScope
    private var acknowledged: [[String]]
    private var work: [(task: String, session: SessionCredentials)] = []
    private let lock = NSLock()
    private var count = 0
    private var transportErrors = 0
    private var errorKinds: Set<String> = []
    private var failures: [String] = []
    private var longestGap = Duration.zero
    private let done = DispatchGroup()

    /// Creates one task (`task_<n>`) and one session (`sess_<n>`) per writer.
    public init(projectId: String, writers: Int, setup: RedisConnection) throws {
        scope = try ProjectScope(projectId: projectId, streamMaxLength: 0)
        acknowledged = Array(repeating: [], count: writers)
        for index in 0..<writers {
            let task = try setup.run(CreateTask(scope: scope, taskId: "task_\(index)", title: "Task \(index)")).task
            let session = SessionCredentials(sessionId: "sess_\(index)", token: RandomIdentifier.token())
            _ = try setup.run(SpawnSession(scope: scope, credentials: session, spawnSource: .ui, taskIds: [task.id]))
            work.append((task.id, session))
        }
    }

    /// Transitions acknowledged so far.
    public var acknowledgedCount: Int { lock.withLock { count } }

    /// Starts the writers: `steps` transitions each, alternating working and blocked.
    public func start(steps: Int, configuration: RedisConfiguration) {
        for (index, item) in work.enumerated() {
            done.enter()
            Thread.detachNewThread { [self] in
                defer { done.leave() }
                let connection = RedisConnection(configuration)
                var lastAcknowledged = ContinuousClock.now
                for step in 0..<steps {
                    let notes = "w\(index)-\(step)"
                    let operation = UpdateProgress(
                        scope: scope, session: item.session, taskId: item.task,
                        status: step % 2 == 0 ? .working : .blocked, notes: notes, idempotencyKey: notes)
                    let deadline = ContinuousClock.now + .seconds(60)
                    while ContinuousClock.now < deadline {
                        do {
                            _ = try connection.run(operation)
                            let now = ContinuousClock.now
                            acknowledged[index].append(notes)
                            lock.withLock {
                                count += 1
                                longestGap = max(longestGap, now - lastAcknowledged)
                            }
                            lastAcknowledged = now
                            break
                        } catch let error as RedisError {
                            lock.withLock {
                                transportErrors += 1
                                if errorKinds.count < 3 {
                                    errorKinds.insert("\(error.code): \(error.message.prefix(120))")
                                }
                            }
                            usleep(20_000)  // the same call, the same key, again
                        } catch {
                            lock.withLock { failures.append("writer \(index) step \(step): \(error)") }
                            return
                        }
                    }
                }
            }
        }
    }

    /// Waits until `count` transitions were acknowledged.
    public func waitUntilAcknowledged(_ count: Int) {
        while acknowledgedCount < count { usleep(1000) }
    }

    /// Waits for every writer to finish.
    public func wait() -> Bool { done.wait(timeout: .now() + 300) == .success }

    /// What the stream holds against what was acknowledged.
    public struct Outcome: CustomStringConvertible {
        public var acknowledged: Int
        public var found: Int
        public var lost: [String]
        public var duplicated: Int
        /// Events per applied transition: the last is the count of `task:session_status` events.
        public var events: Int
        public var transportErrors: Int
        public var longestGap: Duration
        /// Each task's versions in its events: one step at a time, none skipped, none twice.
        public var versionsContiguous: Bool
        /// Each task's versions as its events carry them.
        public var versions: [String: [Int]]
        public var errorKinds: Set<String>
        /// Errors that were not transport errors (a writer stopped on each).
        public var failures: [String]

        public var description: String {
            "\(acknowledged) transitions acknowledged, \(found) found, \(lost.count) lost, \(duplicated) applied "
                + "twice, \(transportErrors) transport errors retried, longest pause between acknowledgements "
                + "\(longestGap.formatted(.units(allowed: [.milliseconds])))"
                + (errorKinds.isEmpty ? "" : " (errors: \(errorKinds.sorted().joined(separator: "; ")))")
        }
    }

    /// Reads the project's stream after `cursor` and compares it with what was acknowledged.
    public func verify(_ connection: RedisConnection, after cursor: String) throws -> Outcome {
        let events = try connection.events(in: scope, after: cursor, count: 10_000_000)
        var applied: [String: Int] = [:]
        var versions: [String: [Int]] = [:]
        for event in events {
            let body = (try? JSONSerialization.jsonObject(with: Data(event.payload.utf8))) as? [String: Any] ?? [:]
            if event.type == .taskSessionStatus, let notes = body["notes"] as? String {
                applied[notes, default: 0] += 1
            }
            let task = body["task"] as? [String: Any]
            if let taskId = (body["taskId"] as? String) ?? (task?["id"] as? String),
                let version = (body["version"] as? Int) ?? (task?["version"] as? Int)
            {
                versions[taskId, default: []].append(version)
            }
        }
        let all = acknowledged.flatMap { $0 }
        let contiguous = versions.values.allSatisfy { seen in
            seen == Array((seen.first ?? 0)..<((seen.first ?? 0) + seen.count))
        }
        return lock.withLock {
            Outcome(
                acknowledged: all.count, found: applied.count, lost: all.filter { applied[$0] == nil },
                duplicated: applied.values.filter { $0 > 1 }.count, events: applied.values.reduce(0, +),
                transportErrors: transportErrors, longestGap: longestGap, versionsContiguous: contiguous,
                versions: versions, errorKinds: errorKinds, failures: failures)
        }
    }
}
