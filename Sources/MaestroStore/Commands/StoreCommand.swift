import RedisClient

/// One plain Redis command that knows Maestro's keys (not a function call), with its typed response: the event
/// stream's reads, stream tickets, the set of supervised projects. Like `StoreOperation`, it keeps the Redis schema
/// inside the store.
public protocol StoreCommand: Sendable {
    associatedtype Response: Sendable
    /// The command to send.
    var command: RedisCommand { get }
    /// Reads the reply (an error reply included).
    func decode(_ reply: RedisReply) throws -> Response
}

extension RedisConnection {
    /// Sends one store command and reads its reply.
    public func execute<Command: StoreCommand>(_ command: Command) throws -> Command.Response {
        try command.decode(try pipeline([command.command])[0])
    }
}

extension RedisConnectionPool {
    /// Sends one store command through the pool and reads its reply.
    public func execute<Command: StoreCommand>(_ command: Command) async throws -> Command.Response {
        try command.decode(try await send([command.command])[0])
    }
}
