import BenchReporting
import MaestroDomain
import MaestroStore
import RedisClient

/// The project `maestro-bench --large` measures, planted through the function library with pipelined calls: 60% of
/// the tasks completed, 10% cancelled, 20% in progress, 10% to do; every session queued on ten open tasks and
/// working on the first.
struct LargeProjectSeed {
    let scope: ProjectScope
    let tasks: Int
    let sessions: Int

    /// What was planted, for the measurements.
    struct Planted {
        var scope: ProjectScope
        var taskIds: [String]
        /// Tasks still to do or in progress, in creation order.
        var openTaskIds: [String]
        var sessions: [SessionCredentials]
        /// (session, task) pairs whose entry is `working`: re-reports are always allowed.
        var working: [(SessionCredentials, String)]
    }

    func plant(on connection: RedisConnection) throws -> Planted {
        let taskIds = (0..<tasks).map { String(format: "task_%07d", $0) }
        try pipelined(
            on: connection,
            taskIds.enumerated().map { index, id in
                CreateTask(scope: scope, taskId: id, title: "Task \(index): fix the flaky test in module \(index % 97)")
            })
        var open: [String] = []
        var changes: [UpdateTask] = []
        for (index, id) in taskIds.enumerated() {
            switch index % 10 {
            case 0..<6: changes.append(UpdateTask(scope: scope, taskId: id, status: .completed))
            case 6: changes.append(UpdateTask(scope: scope, taskId: id, status: .cancelled))
            case 7, 8:
                changes.append(UpdateTask(scope: scope, taskId: id, status: .inprogress))
                open.append(id)
            default: open.append(id)
            }
        }
        try pipelined(on: connection, changes)
        let credentials = (0..<sessions).map { index in
            SessionCredentials(sessionId: String(format: "sess_%05d", index), token: RandomIdentifier.token())
        }
        try pipelined(
            on: connection,
            credentials.enumerated().map { index, session in
                SpawnSession(
                    scope: scope, credentials: session, name: "agent \(index)", spawnSource: .ui,
                    taskIds: (0..<10).map { open[(index * 10 + $0) % open.count] })
            })
        let working = credentials.enumerated().map { index, session in (session, open[(index * 10) % open.count]) }
        try pipelined(
            on: connection,
            working.map { session, taskId in
                UpdateProgress(scope: scope, session: session, taskId: taskId, status: .working)
            })
        return Planted(scope: scope, taskIds: taskIds, openTaskIds: open, sessions: credentials, working: working)
    }

    /// Sends the calls 1,000 at a time in one pipeline each; any refusal stops the seeding.
    private func pipelined(on connection: RedisConnection, _ operations: [some StoreOperation]) throws {
        for start in stride(from: 0, to: operations.count, by: 1000) {
            let chunk = operations[start..<min(operations.count, start + 1000)]
            for reply in try connection.pipeline(chunk.map(\.command)) {
                if case .error(let message) = reply { throw BenchError("seeding the large project: \(message)") }
            }
        }
    }
}
