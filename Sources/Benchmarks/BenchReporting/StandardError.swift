#if canImport(Glibc)
    import Glibc
#endif

/// Benchmark progress and errors go to stderr, so stdout carries only the table and the JSON line.
public enum StandardError {
    /// Writes one line. A plain write(2) rather than `FileHandle`, which traps when the reader has gone away
    /// (`maestro-bench 2>&1 | head`); here a failed write is simply dropped and the run still cleans up.
    public static func line(_ text: String) {
        let bytes = Array((text + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
