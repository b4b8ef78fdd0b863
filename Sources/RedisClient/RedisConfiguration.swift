/// Where and how to connect to Redis, usually parsed from a `redis://` or `unix://` URL.
public struct RedisConfiguration: Sendable, Equatable {
    /// The server's address.
    public enum Endpoint: Sendable, Equatable, CustomStringConvertible {
        case tcp(host: String, port: Int)
        case unix(path: String)

        public var description: String {
            switch self {
            case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            case .unix(let path): "unix:\(path)"
            }
        }
    }

    /// The server's address.
    public var endpoint: Endpoint
    /// The ACL user for AUTH; nil uses the `default` user.
    public var username: String?
    /// The password for AUTH; nil sends no AUTH.
    public var password: String?
    /// The logical database to SELECT (0 sends no SELECT).
    public var database: Int
    /// How long connecting (all attempts with backoff, plus AUTH/SELECT) may take in total.
    public var connectTimeout: Duration
    /// How long one command may wait for its reply.
    public var commandTimeout: Duration

    /// Creates a configuration.
    public init(
        endpoint: Endpoint,
        username: String? = nil,
        password: String? = nil,
        database: Int = 0,
        connectTimeout: Duration = .seconds(3),
        commandTimeout: Duration = .seconds(10)
    ) {
        self.endpoint = endpoint
        self.username = username
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
    }

    /// Parses `redis://[user:password@]host[:port][/db]` or `unix:///path/to/socket[?db=N]`.
    ///
    /// User and password may be percent-encoded; an IPv6 host is written in brackets.
    public init(url: String) throws {
        func invalid(_ why: String) -> RedisError {
            RedisError(
                .invalidURL,
                "invalid Redis URL '\(url)': \(why); expected redis://[user:password@]host:port[/db] or unix:///path")
        }
        if url.hasPrefix("unix://") {
            var rest = Substring(url.dropFirst("unix://".count))
            var database = 0
            if let query = rest.firstIndex(of: "?") {
                let parameter = rest[rest.index(after: query)...]
                guard parameter.hasPrefix("db="), let value = Int(parameter.dropFirst(3)), value >= 0 else {
                    throw invalid("the only query parameter is db=N")
                }
                database = value
                rest = rest[..<query]
            }
            guard rest.hasPrefix("/") else { throw invalid("the socket path must be absolute") }
            self.init(endpoint: .unix(path: String(rest)), database: database)
            return
        }
        guard url.hasPrefix("redis://") else { throw invalid("the scheme must be redis:// or unix://") }
        var rest = Substring(url.dropFirst("redis://".count))
        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                let user = try Self.percentDecoded(credentials[..<colon]) ?? { throw invalid("bad percent-encoding") }()
                username = user.isEmpty ? nil : user
                password =
                    try Self.percentDecoded(credentials[credentials.index(after: colon)...])
                    ?? { throw invalid("bad percent-encoding") }()
            } else {
                password = try Self.percentDecoded(credentials) ?? { throw invalid("bad percent-encoding") }()
            }
        }
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let path = rest[rest.index(after: slash)...]
            if !path.isEmpty {
                guard let value = Int(path), value >= 0 else { throw invalid("the database must be a number") }
                database = value
            }
            rest = rest[..<slash]
        }
        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw invalid("unclosed IPv6 bracket") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") {
                portText = after.dropFirst()
            } else if !after.isEmpty {
                throw invalid("junk after ]")
            }
        } else if let colon = rest.firstIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        if host.isEmpty { host = "127.0.0.1" }
        var port = 6379
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw invalid("the port must be 1-65535")
            }
            port = value
        }
        self.init(
            endpoint: .tcp(host: String(host), port: port), username: username, password: password, database: database)
    }

    private static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
