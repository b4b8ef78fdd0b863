/// One HTTP/1.1 exchange with maestro-server (`Connection: close`), over a plain socket or TLS: enough for the CLI
/// to talk to the server without linking an HTTP stack. `https://` verifies the server's certificate against the
/// system's CAs plus MAESTRO_CA_FILE, and its name.
public struct HTTPConnection: Sendable {
    public struct Response: Sendable {
        public var status: Int
        public var body: [UInt8]
    }

    public let url: MaestroURL
    /// A PEM bundle of CAs trusted besides the system's (MAESTRO_CA_FILE).
    public let caFile: String?
    public let connectTimeout: Duration
    public let readTimeout: Duration

    public init(url: MaestroURL, caFile: String?, connectTimeout: Duration, readTimeout: Duration = .seconds(30)) {
        self.url = url
        self.caFile = caFile
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
    }

    /// Sends one request and reads the whole response.
    public func send(_ method: String, _ path: String, headers: [(String, String)], body: [UInt8]?) throws -> Response {
        let socket: TCPSocket
        do {
            socket = try TCPSocket.connect(
                host: url.host, port: url.port, connectTimeout: connectTimeout, ioTimeout: readTimeout)
        } catch let failure as TransportFailure {
            throw TransportFailure(.unreachable, "cannot reach Maestro at \(url.origin): \(failure.message)")
        }
        let stream: any ByteStream =
            url.isSecure ? try TLSStream(socket: socket, host: url.host, caFile: caFile) : socket
        defer { stream.close() }
        var head = "\(method) \(url.basePath)\(path) HTTP/1.1\r\nHost: \(url.authority)\r\nConnection: close\r\n"
        head += "Accept: application/json\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        head += "\r\n"
        try stream.write(Array(head.utf8) + (body ?? []))
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        // Until the response is whole (by its Content-Length or last chunk), not until the server closes: a TLS
        // server's close takes a round trip of its own.
        while !Self.isComplete(data) {
            let count = try stream.read(into: &buffer)
            if count == 0 { break }
            data += buffer[0..<count]
        }
        return try parse(data)
    }

    /// Whether `data` holds a whole response: its head, and all of a Content-Length body or a chunked body's end.
    private static func isComplete(_ data: [UInt8]) -> Bool {
        guard let split = data.firstRange(of: [13, 10, 13, 10]) else { return false }
        let head = String(decoding: data[..<split.lowerBound], as: UTF8.self).lowercased()
        let received = data.count - split.upperBound
        for line in head.split(separator: "\r\n") {
            if line.hasPrefix("content-length:"), let length = Int(line.dropFirst(15).filter { $0 != " " }) {
                return received >= length
            }
            if line.hasPrefix("transfer-encoding:") && line.contains("chunked") {
                return data.count >= 5 && data.suffix(5).elementsEqual([48, 13, 10, 13, 10])
            }
        }
        return false
    }

    private func parse(_ raw: [UInt8]) throws -> Response {
        guard let split = raw.firstRange(of: [13, 10, 13, 10]) else {
            throw TransportFailure(.unreachable, "\(url.origin) sent no HTTP response")
        }
        let head = String(decoding: raw[..<split.lowerBound], as: UTF8.self).split(separator: "\r\n")
        guard let statusLine = head.first, statusLine.hasPrefix("HTTP/1."),
            let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "")
        else { throw TransportFailure(.unreachable, "\(url.origin) sent a malformed HTTP response") }
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
                throw TransportFailure(.unreachable, "\(url.origin) sent a malformed chunked body")
            }
            if size == 0 { return result }
            let start = lineEnd.upperBound
            guard start + size <= data.count else {
                throw TransportFailure(.unreachable, "\(url.origin) sent a truncated body")
            }
            result += data[start..<start + size]
            index = start + size + 2
            guard index <= data.count else { break }
        }
        return result
    }
}
