#if canImport(Glibc)
    import Glibc
#endif

/// A connected TCP socket with send and receive timeouts: the plain transport under the CLI's HTTP exchanges.
struct TCPSocket: ByteStream {
    let descriptor: Int32
    /// `host:port`, for messages.
    let peer: String

    /// Connects to the first address of `host` that answers within `connectTimeout`; a failure says why (the caller
    /// says what it tried to reach).
    static func connect(host: String, port: Int, connectTimeout: Duration, ioTimeout: Duration) throws -> TCPSocket {
        let peer = "\(host):\(port)"
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let list else {
            throw TransportFailure(.unreachable, "cannot resolve \(host): \(String(cString: gai_strerror(resolved)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let current = entry {
            entry = current.pointee.ai_next
            let descriptor = socket(
                current.pointee.ai_family, current.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue),
                current.pointee.ai_protocol)
            guard descriptor >= 0 else { continue }
            if connect(descriptor, current.pointee.ai_addr, current.pointee.ai_addrlen, within: connectTimeout) {
                // A request goes out whole in one write; Nagle's algorithm would hold it back behind the TLS
                // handshake's last message until the server's delayed ACK (40 ms).
                var noDelay: Int32 = 1
                setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
                var timeout = timeval(duration: ioTimeout)
                setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                return TCPSocket(descriptor: descriptor, peer: peer)
            }
            lastError = String(cString: strerror(errno))
            Glibc.close(descriptor)
        }
        throw TransportFailure(.unreachable, lastError)
    }

    /// A non-blocking connect bounded by `timeout`; the socket is blocking again afterwards.
    private static func connect(
        _ descriptor: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t, within timeout: Duration
    ) -> Bool {
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        defer { _ = fcntl(descriptor, F_SETFL, flags) }
        guard Glibc.connect(descriptor, address, length) != 0 else { return true }
        guard errno == EINPROGRESS else { return false }
        var poller = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        guard poll(&poller, 1, Int32(timeout / .milliseconds(1))) == 1 else {
            errno = ETIMEDOUT
            return false
        }
        var error: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &size)
        errno = error
        return error == 0
    }

    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { throw TransportFailure(.unreachable, "lost the connection to \(peer) while sending") }
            offset += sent
        }
    }

    func read(into buffer: inout [UInt8]) throws -> Int {
        let count = recv(descriptor, &buffer, buffer.count, 0)
        guard count >= 0 else {
            throw TransportFailure(.unreachable, "lost the connection to \(peer): \(String(cString: strerror(errno)))")
        }
        return count
    }

    func close() { Glibc.close(descriptor) }
}

extension timeval {
    init(duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self.init(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}
