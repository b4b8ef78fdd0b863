#if canImport(Glibc)
    import Glibc
#endif

/// POSIX threads for blocking work that must stay off Swift's cooperative thread pool (hiredis calls block).
public enum PosixThread {
    /// Runs `body` on a new joinable thread (join it with `pthread_join`).
    public static func start(_ body: @escaping @Sendable () -> Void) -> pthread_t {
        final class Box: Sendable {
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        var thread = pthread_t()
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        let status = pthread_create(
            &thread, nil,
            { raw in
                Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().body()
                return nil
            }, box)
        precondition(status == 0, "cannot start a thread (error \(status))")
        return thread
    }

    /// Runs `body` on a new detached thread, which ends when `body` returns.
    public static func detach(_ body: @escaping @Sendable () -> Void) {
        pthread_detach(start(body))
    }
}
