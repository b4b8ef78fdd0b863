import BenchReporting
import MaestroDomain
import MaestroStore
import RedisClient

/// A task and a session that has queued it and reported `working` once, so that `working` can be
/// re-reported forever: every re-report writes the progress entry, bumps the task and emits an event.
struct BenchFixture {
    let scope: ProjectScope
    let taskId: String
    let session: SessionCredentials

    /// The call both sides of a comparison make, again and again.
    var transition: UpdateProgress {
        UpdateProgress(scope: scope, session: session, taskId: taskId, status: .working)
    }

    /// The transition's argument vector, byte for byte what the store sends (for redis-benchmark).
    var transitionArguments: [String] { Self.argv(transition) }

    /// The argument vector of what one `maestro task update --status working` sends: the CLI draws a fresh
    /// idempotency key per invocation (so Redis also stores the reply), hence a fresh one here for every call.
    func cliTransitionArguments() -> [String] {
        var call = transition
        call.idempotencyKey = RandomIdentifier.make(prefix: "cli")
        return Self.argv(call)
    }

    private static func argv(_ operation: some StoreOperation) -> [String] {
        operation.command.arguments.map { String(decoding: $0, as: UTF8.self) }
    }

    /// Creates the task and the session through the store, the way a dashboard and an agent would.
    static func prepare(scope: ProjectScope, title: String, on connection: RedisConnection) throws -> BenchFixture {
        let taskId = RandomIdentifier.make(prefix: "task")
        let session = SessionCredentials(
            sessionId: RandomIdentifier.make(prefix: "sess"), token: RandomIdentifier.token())
        _ = try connection.run(CreateTask(scope: scope, taskId: taskId, title: title))
        _ = try connection.run(SpawnSession(scope: scope, credentials: session, name: title, spawnSource: .ui))
        _ = try connection.run(QueueTasks(scope: scope, session: session, taskIds: [taskId]))
        let fixture = BenchFixture(scope: scope, taskId: taskId, session: session)
        let first = try connection.run(fixture.transition)
        guard first.status == .working, first.taskStatus == .inprogress else {
            throw BenchError(
                "preparing \(taskId): expected working / inprogress, got \(first.status) / \(first.taskStatus)")
        }
        return fixture
    }

    /// The task's version: it grows by exactly one with every re-reported `working`, so the difference
    /// before and after a measurement proves how many transitions were really applied.
    func taskVersion(on connection: RedisConnection) throws -> Int {
        try connection.run(GetTask(scope: scope, taskId: taskId)).version
    }

    /// Checks that a measurement applied exactly `expected` transitions.
    func expectApplied(_ expected: Int, since before: Int, by who: String, on connection: RedisConnection) throws {
        let applied = try taskVersion(on: connection) - before
        guard applied == expected else {
            throw BenchError("\(who) should have applied \(expected) transitions to \(taskId) but applied \(applied)")
        }
    }
}
