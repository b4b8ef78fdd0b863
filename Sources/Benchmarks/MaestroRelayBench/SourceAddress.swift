import BenchReporting

#if canImport(Glibc)
    import Glibc
#endif

/// Spreads the benchmark's connections over source addresses 127.0.0.1, 127.0.0.2, …: one source address has
/// about 28,000 ephemeral ports towards one server port, fewer than the 50,000 idle connections measured.
enum SourceAddress {
    /// Connections per source address, well inside the kernel's ephemeral port range.
    static let connectionsPerAddress = 10_000
    /// Linux's IP_BIND_ADDRESS_NO_PORT: the port is picked at connect, unique per destination, so the sockets that
    /// other connections (and those just closed, in TIME_WAIT) hold on the same address do not use up the range.
    private static let bindAddressNoPort: Int32 = 24

    /// Binds `fd` (before its connect) to the source address of connection `index`, on a port the kernel picks.
    static func bind(_ fd: Int32, index: Int) throws {
        var on: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_IP), bindAddressNoPort, &on, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        let host = UInt32(0x7F00_0001 + index / connectionsPerAddress)
        address.sin_addr = in_addr(s_addr: host.bigEndian)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            throw BenchError(
                "cannot bind connection \(index + 1) to 127.0.0.\(1 + index / connectionsPerAddress): "
                    + String(cString: strerror(errno)))
        }
    }
}
