import RedisClient

#if canImport(Glibc)
    import Glibc
#endif

/// When a store call is sent again — the one rule of the blocking and the async path. A retry-safe call (a read, or a
/// write with an idempotency key) is resent after a lost connection, up to `attempts` sends in all; any other call
/// reports the loss, since it may or may not have been applied. A call Redis refused because the project's slot is
/// being moved to another shard ran nothing (see `register.lua`) and is resent after `slotMigrationBackoff` until
/// the move is over, for up to the connect timeout.
struct StoreRetry {
    /// How many times a retry-safe call is sent in all when the connection keeps breaking.
    static let attempts = 3

    private let isRetrySafe: Bool
    private let migrationDeadline: ContinuousClock.Instant
    private var sent = 1

    init(_ operation: some StoreOperation, configuration: RedisConfiguration) {
        isRetrySafe = operation.isRetrySafe
        migrationDeadline = ContinuousClock.now + configuration.connectTimeout
    }

    /// Whether the call is sent again after `error`.
    mutating func resends(after error: RedisError) -> Bool {
        guard error.code == .connectionLost, isRetrySafe, sent < Self.attempts else { return false }
        sent += 1
        return true
    }

    /// Whether the call is sent again, after `StoreReply.slotMigrationBackoff`, because of `reply`.
    func waits(after reply: RedisReply) -> Bool {
        StoreReply.isRefusedDuringSlotMigration(reply) && ContinuousClock.now < migrationDeadline
    }
}

extension RedisConnection {
    /// Runs one function-library call and returns its typed response.
    ///
    /// Refusals are thrown as `MaestroError`, library problems as `StoreError`, transport problems as
    /// `RedisError`; lost connections and moving slots are retried as `StoreRetry` says.
    public func run<Operation: StoreOperation>(_ operation: Operation) throws -> Operation.Response {
        let command = operation.command
        var retry = StoreRetry(operation, configuration: configuration)
        while true {
            let reply: RedisReply
            do {
                reply = try pipeline([command])[0]
            } catch let error as RedisError where retry.resends(after: error) {
                continue
            }
            if retry.waits(after: reply) {
                usleep(useconds_t(StoreReply.slotMigrationBackoff / .microseconds(1)))
                continue
            }
            let response = try StoreReply.response(to: operation, reply)
            if !operation.isReadOnly && configuration.replicasPerWrite > 0 { try awaitReplication() }
            return response
        }
    }

    /// Waits until the write just made has reached `replicasPerWrite` replicas; throws `.timedOut` when it did not
    /// within `replicationTimeout` (the write stands on the primary; resending it with its idempotency key waits
    /// again).
    private func awaitReplication() throws {
        let wanted = configuration.replicasPerWrite
        let reached = try waitForReplicas(wanted, timeout: configuration.replicationTimeout)
        guard reached >= wanted else {
            throw RedisError(
                .timedOut,
                "the change was applied, but reached \(reached) of \(wanted) replicas within "
                    + "\(configuration.replicationTimeout): it may be lost if its primary fails now")
        }
    }
}

extension RedisConnectionPool {
    /// Runs one function-library call through the pool (pipelined with concurrent callers' calls); errors and
    /// retries as `RedisConnection.run(_:)`.
    public func run<Operation: StoreOperation>(_ operation: Operation) async throws -> Operation.Response {
        if !operation.isReadOnly && configuration.replicasPerWrite > 0 {
            // WAIT must follow the write on the same connection: no pipelining with other callers here.
            return try await withConnection { try $0.run(operation) }
        }
        let command = operation.command
        var retry = StoreRetry(operation, configuration: configuration)
        while true {
            let reply: RedisReply
            do {
                reply = try await send([command])[0]
            } catch let error as RedisError where retry.resends(after: error) {
                continue
            }
            if retry.waits(after: reply) {
                try await Task.sleep(for: StoreReply.slotMigrationBackoff)
                continue
            }
            return try StoreReply.response(to: operation, reply)
        }
    }
}
