#if canImport(Glibc)
    import Glibc
#endif

/// CLOCK_MONOTONIC in nanoseconds: one clock for every process on the machine, so a timestamp taken by the
/// publisher can be subtracted from one taken by a receiver in another process (or in maestro-server).
enum MonotonicClock {
    /// Now, in nanoseconds since an arbitrary fixed point (boot).
    static func nanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    /// Sleeps until an absolute time on this clock, so a paced loop does not drift with its own work.
    static func sleep(until deadline: UInt64) {
        var target = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, nil) == EINTR {}
    }

    /// Polls `condition` every `interval` seconds until it holds or `timeout` seconds have passed.
    static func wait(timeout: Double, interval: Double = 0.01, until condition: () throws -> Bool) rethrows -> Bool {
        let deadline = nanoseconds() + UInt64(timeout * 1e9)
        while true {
            if try condition() { return true }
            if nanoseconds() >= deadline { return false }
            usleep(useconds_t(interval * 1e6))
        }
    }
}
