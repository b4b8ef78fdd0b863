import BenchReporting

#if canImport(Glibc)
    import Glibc
#endif

/// Raises this process's open-file limit before any child is started: maestro-server and redis-server inherit it,
/// and each side of the benchmark holds up to 50,000 sockets at once.
enum FileDescriptorLimit {
    /// Raises the soft limit to the hard one — and the hard one to `wanted` when it is lower and the process may
    /// (CAP_SYS_RESOURCE) — and returns the limit; at least `needed` descriptors must fit.
    @discardableResult
    static func raise(wanted: Int, needed: Int) throws -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            throw BenchError("getrlimit(RLIMIT_NOFILE) failed: errno \(errno)")
        }
        if limit.rlim_max < rlim_t(wanted) {
            var raised = rlimit(rlim_cur: rlim_t(wanted), rlim_max: rlim_t(wanted))
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
                throw BenchError("setrlimit(RLIMIT_NOFILE, \(limit.rlim_max)) failed: errno \(errno)")
            }
        }
        guard limit.rlim_cur >= rlim_t(needed) else {
            throw BenchError(
                "the open-file limit is \(limit.rlim_cur) (hard), the run needs about \(needed): "
                    + "raise it (ulimit -Hn, /etc/security/limits.conf) or pass a smaller --clients")
        }
        return Int(limit.rlim_cur)
    }
}
