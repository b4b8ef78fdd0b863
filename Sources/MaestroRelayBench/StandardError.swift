#if canImport(Glibc)
    import Glibc
#endif

/// Progress and errors go to stderr, so stdout carries only the table and the JSON line.
enum StandardError {
    /// Writes one line with write(2): `FileHandle` traps when the reader has gone away (`… 2>&1 | head`),
    /// and the run must still stop its child processes.
    static func line(_ text: String) {
        let bytes = Array((text + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    /// A progress line, prefixed with the program's name.
    static func progress(_ text: String) { line("maestro-relay-bench: \(text)") }
}
