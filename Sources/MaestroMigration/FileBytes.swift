#if canImport(Glibc)
    import Glibc
#endif

/// Whole-file reads and atomic writes on plain descriptors, with the system's reason when they fail.
public enum FileBytes {
    /// Why a read or write failed, as a sentence.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// The bytes of the file at `path`, refused when larger than `limit`; the size checked is the size read.
    public static func read(path: String, limit: Int) throws(Failure) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure(message: "cannot open \(path): \(systemError())") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw Failure(message: "cannot stat \(path): \(systemError())") }
        guard Int(status.st_size) <= limit else {
            throw Failure(message: "the file is \(status.st_size) bytes, over the limit of \(limit) bytes")
        }
        return try read(descriptor: descriptor, limit: limit)
    }

    /// Everything readable from `descriptor` (a file, a pipe: standard input), refused beyond `limit` bytes.
    public static func read(descriptor: Int32, limit: Int) throws(Failure) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw Failure(message: "cannot read: \(systemError())") }
            if count == 0 { return bytes }
            guard bytes.count + count <= limit else {
                throw Failure(message: "the input is over the limit of \(limit) bytes")
            }
            bytes += chunk[0..<count]
        }
    }

    /// Writes `bytes` to `path` atomically (a temporary file in the same directory, then a rename), readable
    /// by its owner only: a half-written file never replaces a good one.
    public static func write(_ bytes: [UInt8], to path: String) throws(Failure) {
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Failure(message: "cannot create \(temporary): \(systemError())") }
        var failure: Failure?
        if !write(bytes, descriptor: descriptor) {
            failure = Failure(message: "cannot write \(temporary): \(systemError())")
        } else if fsync(descriptor) != 0 {
            failure = Failure(message: "cannot flush \(temporary): \(systemError())")
        }
        close(descriptor)
        if failure == nil && rename(temporary, path) != 0 {
            failure = Failure(message: "cannot rename \(temporary) to \(path): \(systemError())")
        }
        if let failure {
            unlink(temporary)
            throw failure
        }
    }

    /// Writes all of `bytes` to `descriptor`; false on an error (see errno).
    @discardableResult
    public static func write(_ bytes: [UInt8], descriptor: Int32) -> Bool {
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            written += count
        }
        return true
    }

    private static func systemError() -> String { String(cString: strerror(errno)) }
}
