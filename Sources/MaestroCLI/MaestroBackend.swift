import MaestroDomain
import MaestroStore
import RedisClient

/// Where the CLI sends its calls: Redis directly (MAESTRO_REDIS_URL), or maestro-server's HTTP API (only
/// MAESTRO_URL set, for agents that cannot reach Redis). Both give the same results and the same refusals.
protocol MaestroBackend {
    func queue(_ taskIds: [String], as session: SessionCredentials, idempotencyKey: String) throws -> QueueResult
    func update(
        _ taskId: String, to status: SessionStatus, notes: String?, as session: SessionCredentials,
        idempotencyKey: String
    ) throws -> ProgressChange
    func task(_ taskId: String) throws -> TaskRecord
    func tasks(statuses: [TaskStatus], offset: Int, limit: Int) throws -> TaskPage
    func staleTasks(limit: Int) throws -> TaskPage
    func createTask(_ task: CreateTask) throws -> TaskRecord
    /// Spawns a session and returns it with the token it was issued.
    func spawnSession(_ spawn: SpawnSession) throws -> (session: SessionRecord, token: String)
    /// Starts watching the project for changes; the returned function blocks until one may have happened or the
    /// given time passed. Watch first, then read, so no change between the two is missed.
    func watchChanges() throws -> (Duration) throws -> Void
}

/// Calls the function library over one Redis connection.
struct RedisBackend: MaestroBackend {
    let connection: RedisConnection
    let scope: ProjectScope

    func queue(_ taskIds: [String], as session: SessionCredentials, idempotencyKey: String) throws -> QueueResult {
        try connection.run(
            QueueTasks(scope: scope, session: session, taskIds: taskIds, idempotencyKey: idempotencyKey))
    }

    func update(
        _ taskId: String, to status: SessionStatus, notes: String?, as session: SessionCredentials,
        idempotencyKey: String
    ) throws -> ProgressChange {
        try connection.run(
            UpdateProgress(
                scope: scope, session: session, taskId: taskId, status: status, notes: notes,
                idempotencyKey: idempotencyKey))
    }

    func task(_ taskId: String) throws -> TaskRecord {
        try connection.run(GetTask(scope: scope, taskId: taskId))
    }

    func tasks(statuses: [TaskStatus], offset: Int, limit: Int) throws -> TaskPage {
        try connection.run(ListTasks(scope: scope, statuses: statuses, offset: offset, limit: limit))
    }

    func staleTasks(limit: Int) throws -> TaskPage {
        try connection.run(ListStaleTasks(scope: scope, limit: limit))
    }

    func createTask(_ task: CreateTask) throws -> TaskRecord {
        try connection.execute(RegisterProject(scope: scope))
        return try connection.run(task).task
    }

    func spawnSession(_ spawn: SpawnSession) throws -> (session: SessionRecord, token: String) {
        try connection.execute(RegisterProject(scope: scope))
        return (try connection.run(spawn).session, spawn.credentials.token)
    }

    /// Subscribes to the project's live channel on a second connection: every event wakes the waiter.
    func watchChanges() throws -> (Duration) throws -> Void {
        var configuration = connection.configuration
        configuration.commandTimeout = .zero
        let subscriber = RedisConnection(configuration)
        _ = try subscriber.send(Subscription.live(scope))
        return { timeout in _ = try subscriber.receive(timeout: timeout) }
    }
}
