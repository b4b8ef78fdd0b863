#if canImport(Glibc)
    import Glibc
#endif

/// Raises this process's open-file limit to its hard limit before any child is started: maestro-server and
/// redis-server inherit it, and each side of the benchmark holds 10,000 sockets or more at once.
enum FileDescriptorLimit {
    /// Raises the soft limit to the hard one and checks that `needed` descriptors fit.
    @discardableResult
    static func raise(needed: Int) throws -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            throw RelayBenchError("getrlimit(RLIMIT_NOFILE) failed: errno \(errno)")
        }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
                throw RelayBenchError("setrlimit(RLIMIT_NOFILE, \(limit.rlim_max)) failed: errno \(errno)")
            }
        }
        guard limit.rlim_cur >= rlim_t(needed) else {
            throw RelayBenchError(
                "the open-file limit is \(limit.rlim_cur) (hard), the run needs about \(needed): "
                    + "raise it (ulimit -Hn, /etc/security/limits.conf) or pass a smaller --idle / --clients")
        }
        return Int(limit.rlim_cur)
    }
}
