import MaestroDomain
import RedisClient

/// One call of the function library, as a value with a typed response (one generic `run` executes any of them).
public protocol StoreOperation: Sendable {
    /// What the call returns when it succeeds.
    associatedtype Response: Sendable

    /// The project the call works in.
    var scope: ProjectScope { get }
    /// The function's name without the `maestro_` prefix.
    var function: String { get }
    /// Whether the function only reads (sent with FCALL_RO).
    var isReadOnly: Bool { get }
    /// The idempotency key of a write, if any; a write with one may be resent after a lost connection.
    var idempotencyKey: String? { get }
    /// The arguments after the common ones (version, and for writes idempotency key and stream cap).
    var arguments: [String] { get }

    /// Reads the function's reply.
    func decode(_ reply: RedisReply) throws -> Response
}

extension StoreOperation {
    public var isReadOnly: Bool { false }
    public var idempotencyKey: String? { nil }

    /// Whether resending after a lost connection cannot apply the change twice.
    public var isRetrySafe: Bool { isReadOnly || idempotencyKey != nil }

    /// The FCALL / FCALL_RO command for this operation.
    public var command: RedisCommand {
        var argv = [
            isReadOnly ? "FCALL_RO" : "FCALL", "maestro_" + function, "1", scope.eventStream, FunctionLibrary.version,
        ]
        if !isReadOnly {
            argv.append(idempotencyKey ?? "")
            argv.append(String(scope.streamMaxLength))
        }
        argv.append(contentsOf: arguments)
        return RedisCommand(arguments: argv.map { Array($0.utf8) })
    }
}
