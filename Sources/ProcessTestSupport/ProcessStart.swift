import Foundation

/// Every child process the tests start is started here, one at a time.
///
/// Foundation's `Process` learns that its child ended from a socket pair: the child holds one end, and the end of
/// the child is seen when the last copy of that end closes. A process started by another thread in the same instant
/// inherits a copy (and so do the ends of a `Pipe` made for a child), so the first child's exit goes unseen — and its
/// `waitUntilExit()` or read to the end waits — until the other child ends too: a deadlock when that other child's
/// test is the one waiting. Starts that never overlap leave nothing to inherit.
public enum ProcessStart {
    private static let lock = NSLock()

    /// Runs `start` (making the child's pipes and starting it) while no other start runs.
    public static func serialized<T>(_ start: () throws -> T) rethrows -> T {
        try lock.withLock(start)
    }
}
