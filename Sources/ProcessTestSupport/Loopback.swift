import Foundation

/// Plain TCP on 127.0.0.1, for tests and benchmarks that speak to a server byte by byte.
public enum Loopback {
    /// A new blocking socket connected to 127.0.0.1:`port`; the caller closes it.
    public static func socket(port: Int) throws -> Int32 {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw failure("cannot open a socket") }
        do {
            try connect(fd, port: port)
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// Connects `fd` to 127.0.0.1:`port` (blocking).
    public static func connect(_ fd: Int32, port: Int) throws {
        var address = loopbackAddress(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else { throw failure("cannot connect to 127.0.0.1:\(port)") }
    }

    /// Writes every byte (blocking socket).
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw failure("write failed") }
            offset += written
        }
    }

    /// A port the kernel just handed out for 127.0.0.1 (bound, read, released).
    public static func freePort() throws -> Int {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw failure("cannot open a socket") }
        defer { close(fd) }
        var address = loopbackAddress(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw failure("cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func loopbackAddress(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    private static func failure(_ what: String) -> any Error {
        NSError(
            domain: "Loopback", code: Int(errno),
            userInfo: [NSLocalizedDescriptionKey: "\(what): \(String(cString: strerror(errno)))"])
    }
}
