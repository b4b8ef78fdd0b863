import MaestroStore
import RedisClient

#if canImport(Glibc)
    import Glibc
#endif

/// Listens on a session's control channel, on a thread of its own, and wakes the supervisor's loop when a user
/// stops or restarts the session. Messages carry no orders: the session's status in Redis is the instruction,
/// which the loop reads with its next heartbeat. After a broken connection it resubscribes and wakes the loop
/// once more, so a message missed meanwhile costs at most that delay.
public enum ControlListener {
    public static func start(configuration: RedisConfiguration, subscription: RedisCommand, wakeup: WakeupPipe) {
        var configuration = configuration
        configuration.commandTimeout = .zero
        let subscriber = UncheckedConnection(RedisConnection(configuration))
        PosixThread.detach {
            let connection = subscriber.value
            SubscriberLoop.run(onLost: { _, _ in connection.close() }) { connected in
                _ = try connection.send(subscription)
                connected()
                wakeup.wake()
                while true {
                    _ = try connection.receive()
                    wakeup.wake()
                }
            }
        }
    }

    /// Hands the connection to the one thread that uses it.
    private struct UncheckedConnection: @unchecked Sendable {
        // @unchecked: created here, then used only by the listener thread.
        let value: RedisConnection
        init(_ value: RedisConnection) { self.value = value }
    }
}
