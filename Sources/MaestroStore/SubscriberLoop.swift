#if canImport(Glibc)
    import Glibc
#endif

/// The one way a long-lived subscriber comes back after losing its connection, used by every subscriber loop (the
/// relay's, the supervisor's control listener, `maestro mcp`'s task watcher), so a Redis restart or failover is
/// ridden out the same way everywhere: `session` runs again after a pause that starts at 50 ms and doubles up to
/// 2 s, and falls back to 50 ms once a session got going (it calls `connected`). A session subscribes, catches up
/// with what it may have missed, then waits for messages until its connection fails (it throws) or it is done (it
/// returns).
public enum SubscriberLoop {
    public static let firstPause = Duration.milliseconds(50)
    public static let longestPause = Duration.seconds(2)

    /// Runs `session` on the calling thread until it returns, or until it throws while `isStopping` says so;
    /// `onLost` hears of each lost session and the pause before the next.
    public static func run(
        isStopping: () -> Bool = { false }, onLost: (any Error, _ pause: Duration) -> Void = { _, _ in },
        _ session: (_ connected: () -> Void) throws -> Void
    ) {
        var pause = firstPause
        while true {
            do {
                return try session { pause = firstPause }
            } catch {
                guard !isStopping() else { return }
                onLost(error, pause)
                usleep(UInt32(pause / .microseconds(1)))
                pause = min(pause * 2, longestPause)
            }
        }
    }
}
