import BenchReporting
import ProcessTestSupport
import RedisTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A blocking HTTP/1.1 GET to 127.0.0.1 over a plain socket, for /readyz and /metrics: the benchmark needs two
/// probes, not an HTTP client with its own event loop competing with the clients being measured.
enum HTTPGet {
    /// The status code and the body (`Connection: close`, read to the end).
    static func fetch(port: Int, path: String, timeout: Int = 5) throws -> (status: Int, body: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("cannot open a socket: errno \(errno)") }
        defer { close(fd) }
        var wait = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        try Loopback.connect(fd, port: port)
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n".utf8)
        try Loopback.writeAll(fd, request)
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count == 0 { break }
            guard count > 0 else { throw BenchError("GET \(path) on port \(port): read failed, errno \(errno)") }
            response.append(contentsOf: chunk[0..<count])
        }
        let text = String(decoding: response, as: UTF8.self)
        let parts = text.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw BenchError("GET \(path) on port \(port): not an HTTP response: \(text.prefix(200))")
        }
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return (status, body)
    }

    /// The value of an unlabelled Prometheus sample (`name value`) in /metrics, or nil if it is not there yet.
    static func metric(_ name: String, port: Int) throws -> Double? {
        let (status, body) = try fetch(port: port, path: "/metrics")
        guard status == 200 else { throw BenchError("GET /metrics answered \(status): \(body.prefix(200))") }
        for line in body.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
