#if canImport(Glibc)
    import Glibc
#endif

extension Array where Element == Double {
    /// The middle value (the mean of the two middle values for an even count): the machine is shared and noisy,
    /// so every reported benchmark number is a median of interleaved rounds, never a single run or a mean.
    public var median: Double {
        precondition(!isEmpty, "the median of no measurements")
        let sorted = self.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// Benchmark progress and errors go to stderr, so stdout carries only the table and the JSON line.
public enum StandardError {
    /// Writes one line. A plain write(2) rather than `FileHandle`, which traps when the reader has gone away
    /// (`maestro-bench 2>&1 | head`); here a failed write is simply dropped and the run still cleans up.
    public static func line(_ text: String) {
        let bytes = Array((text + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
