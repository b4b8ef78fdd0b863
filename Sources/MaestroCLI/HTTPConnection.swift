#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// One HTTP/1.1 exchange over a plain socket (`Connection: close`): enough for the CLI to talk to maestro-server
/// without linking an HTTP stack. `http://` only; put TLS in front of the server where the network needs it.
struct HTTPConnection {
    struct Response {
        var status: Int
        var body: [UInt8]
    }

    /// A failure to reach the server or to read its answer.
    struct Failure: Error {
        var message: String
    }

    let host: String
    let port: Int
    let basePath: String
    let connectTimeout: Duration
    let readTimeout: Duration

    /// Parses `http://host[:port][/base]`.
    init(url: String, connectTimeout: Duration, readTimeout: Duration = .seconds(30)) throws {
        guard url.hasPrefix("http://") else {
            throw Failure(
                message: "MAESTRO_URL must be http://host[:port] (got '\(url)'); terminate TLS in front of the server")
        }
        var rest = Substring(url.dropFirst("http://".count))
        var base = ""
        if let slash = rest.firstIndex(of: "/") {
            let path = rest[slash...].drop { $0 == "/" }
            base = path.isEmpty ? "" : "/" + path.reversed().drop { $0 == "/" }.reversed()
            rest = rest[..<slash]
        }
        let parts = rest.split(separator: ":", maxSplits: 1)
        guard let hostPart = parts.first, !hostPart.isEmpty else {
            throw Failure(message: "MAESTRO_URL has no host: '\(url)'")
        }
        host = String(hostPart)
        if parts.count == 2 {
            guard let value = Int(parts[1]), (1...65535).contains(value) else {
                throw Failure(message: "MAESTRO_URL has a bad port: '\(url)'")
            }
            port = value
        } else {
            port = 80
        }
        basePath = base
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
    }

    var origin: String { "http://\(host):\(port)" }

    /// Sends one request and reads the whole response.
    func send(_ method: String, _ path: String, headers: [(String, String)], body: [UInt8]?) throws -> Response {
        let descriptor = try open()
        defer { close(descriptor) }
        var head = "\(method) \(basePath)\(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n"
        head += "Accept: application/json\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        head += "\r\n"
        try write(descriptor, Array(head.utf8) + (body ?? []))
        return try parse(try readAll(descriptor))
    }

    private func open() throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let list else {
            throw Failure(message: "cannot resolve \(host): \(String(cString: gai_strerror(resolved)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let current = entry {
            entry = current.pointee.ai_next
            let descriptor = socket(current.pointee.ai_family, current.pointee.ai_socktype, current.pointee.ai_protocol)
            guard descriptor >= 0 else { continue }
            let flags = fcntl(descriptor, F_GETFL)
            _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
            var result = connect(descriptor, current.pointee.ai_addr, current.pointee.ai_addrlen)
            if result != 0 && errno == EINPROGRESS {
                var poller = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                let milliseconds = Int32(connectTimeout / .milliseconds(1))
                if poll(&poller, 1, milliseconds) == 1 {
                    var error: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &length)
                    result = error == 0 ? 0 : -1
                    errno = error
                } else {
                    errno = ETIMEDOUT
                }
            }
            if result == 0 {
                _ = fcntl(descriptor, F_SETFL, flags)
                let (seconds, attoseconds) = readTimeout.components
                var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
                setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                return descriptor
            }
            lastError = String(cString: strerror(errno))
            close(descriptor)
        }
        throw Failure(message: "cannot reach Maestro at \(origin): \(lastError)")
    }

    private func write(_ descriptor: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { throw Failure(message: "lost the connection to \(origin) while sending") }
            offset += sent
        }
    }

    private func readAll(_ descriptor: Int32) throws -> [UInt8] {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count == 0 { return data }
            guard count > 0 else {
                throw Failure(message: "lost the connection to \(origin): \(String(cString: strerror(errno)))")
            }
            data += buffer[0..<count]
        }
    }

    private func parse(_ raw: [UInt8]) throws -> Response {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let split = raw.firstRange(of: separator) else {
            throw Failure(message: "\(origin) sent no HTTP response")
        }
        let head = String(decoding: raw[..<split.lowerBound], as: UTF8.self).split(separator: "\r\n")
        guard let statusLine = head.first, statusLine.hasPrefix("HTTP/1."),
            let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "")
        else { throw Failure(message: "\(origin) sent a malformed HTTP response") }
        let chunked = head.dropFirst().contains {
            $0.lowercased().hasPrefix("transfer-encoding:") && $0.lowercased().contains("chunked")
        }
        var body = Array(raw[split.upperBound...])
        if chunked { body = try dechunk(body) }
        return Response(status: status, body: body)
    }

    private func dechunk(_ data: [UInt8]) throws -> [UInt8] {
        var result: [UInt8] = []
        var index = 0
        while let lineEnd = data[index...].firstRange(of: [13, 10]) {
            let sizeText =
                String(decoding: data[index..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.filter { $0 != " " }, radix: 16) else {
                throw Failure(message: "\(origin) sent a malformed chunked body")
            }
            if size == 0 { return result }
            let start = lineEnd.upperBound
            guard start + size <= data.count else { throw Failure(message: "\(origin) sent a truncated body") }
            result += data[start..<start + size]
            index = start + size + 2
            guard index <= data.count else { break }
        }
        return result
    }
}
