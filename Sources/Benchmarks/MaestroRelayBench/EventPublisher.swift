import BenchReporting
import MaestroDomain
import MaestroStore
import RedisClient

/// Commits progress updates at a fixed rate through the store, as an agent's CLI would, noting the CLOCK_MONOTONIC
/// time just before each FCALL against the event id it returns: so the latency of every arrival covers the commit
/// itself (the Lua function, XADD and the wake-up), then the fan-out, then the receiving client.
///
/// Runs on the calling thread with its own blocking `RedisConnection` (never Swift's cooperative pool, which the
/// WebSocket clients use).
struct EventPublisher {
    let connection: RedisConnection
    let scope: ProjectScope
    let taskId: String
    let session: SessionCredentials

    /// Commits `rate` events per second for `seconds` on an absolute schedule; returns each event's id with the
    /// time its FCALL was sent.
    @discardableResult
    func publish(rate: Int, seconds: Double) throws -> [StreamID: UInt64] {
        let count = max(1, Int((Double(rate) * seconds).rounded()))
        let interval = 1_000_000_000 / UInt64(rate)
        let start = MonotonicClock.nanoseconds()
        var sent: [StreamID: UInt64] = [:]
        for index in 0..<count {
            MonotonicClock.sleep(until: start + UInt64(index) * interval)
            let now = MonotonicClock.nanoseconds()
            let change = try connection.run(
                UpdateProgress(scope: scope, session: session, taskId: taskId, status: .working, notes: "event"))
            guard change.status == .working, let id = change.eventIds.first.flatMap(StreamID.init) else {
                throw BenchError("publishing: expected the progress to stay working, got \(change.status)")
            }
            sent[id] = now
        }
        return sent
    }

    /// Creates the task and the session through the store, the way a dashboard and an agent would, and reports
    /// `working` once, so that `working` can be re-reported (each time one event) for as long as needed.
    static func prepare(scope: ProjectScope, on connection: RedisConnection) throws -> EventPublisher {
        let taskId = RandomIdentifier.make(prefix: "task")
        let session = SessionCredentials(
            sessionId: RandomIdentifier.make(prefix: "sess"), token: RandomIdentifier.token())
        _ = try connection.run(CreateTask(scope: scope, taskId: taskId, title: "relay bench"))
        _ = try connection.run(SpawnSession(scope: scope, credentials: session, name: "relay bench", spawnSource: .ui))
        _ = try connection.run(QueueTasks(scope: scope, session: session, taskIds: [taskId]))
        let first = try connection.run(UpdateProgress(scope: scope, session: session, taskId: taskId, status: .working))
        guard first.status == .working, first.taskStatus == .inprogress else {
            throw BenchError(
                "preparing \(taskId): expected working / inprogress, got \(first.status) / \(first.taskStatus)")
        }
        return EventPublisher(connection: connection, scope: scope, taskId: taskId, session: session)
    }
}
