import MaestroMigration

#if canImport(Glibc)
    import Glibc
#endif

/// A one-line progress bar on standard error, drawn only when standard error is a terminal (so logs and
/// pipes get none of its carriage returns).
final class ProgressBar {
    private static let width = 30
    private let label: String
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private var drawn = -1

    init(label: String) { self.label = label }

    /// Draws `done` of `total`; redraws only when the bar's text changes.
    func update(_ done: Int, _ total: Int) {
        guard isTerminal, total > 0 else { return }
        let permille = done * 1000 / total
        guard permille != drawn else { return }
        drawn = permille
        let filled = done * Self.width / total
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: Self.width - filled)
        FileBytes.write(Array("\r\(label) [\(bar)] \(done)/\(total)".utf8), descriptor: STDERR_FILENO)
    }

    /// Clears the bar's line.
    func finish() {
        guard isTerminal, drawn >= 0 else { return }
        FileBytes.write(Array("\r\u{1B}[2K".utf8), descriptor: STDERR_FILENO)
        drawn = -1
    }
}
