import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The sockets a `RedisConnection` has open, so that `interrupt()` can shut them down from another thread while
/// the owning thread is blocked reading one of them.
///
/// A descriptor is removed before its socket is closed, under the same lock `interrupt` holds, so a descriptor
/// number the kernel hands out again afterwards is never shut down by mistake.
final class SocketRegistry: Sendable {
    private let descriptors = Mutex<Set<Int32>>([])

    /// Lists an open socket.
    func add(_ descriptor: Int32) {
        descriptors.withLock { _ = $0.insert(descriptor) }
    }

    /// Unlists a socket that is about to be closed.
    func remove(_ descriptor: Int32) {
        descriptors.withLock { _ = $0.remove(descriptor) }
    }

    /// Shuts every listed socket down for reading and writing: blocked reads return at once.
    func shutDownAll() {
        descriptors.withLock { all in
            for descriptor in all { shutdown(descriptor, Int32(SHUT_RDWR)) }
        }
    }
}
