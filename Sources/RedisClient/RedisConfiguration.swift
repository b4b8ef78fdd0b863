/// Where and how to connect to Redis, usually parsed from a `redis://` or `unix://` URL.
///
/// The same configuration serves a single Redis and a Redis Cluster: the address of any node of a cluster is
/// enough, since a connection discovers the cluster from the first `-MOVED` reply and then learns every node from
/// the cluster itself. To survive that one node being down when a process starts, list more nodes, comma-separated:
/// `redis://user:password@10.0.0.1:7000,10.0.0.2:7000,10.0.0.3:7000/` — the first is `endpoint`, the others
/// `additionalEndpoints`, tried in turn when connecting and when the cluster's slot map must be read again.
/// Every node gets the same credentials and timeouts. A cluster only has database 0.
public struct RedisConfiguration: Sendable, Equatable {
    /// The server's address.
    public enum Endpoint: Sendable, Hashable, CustomStringConvertible {
        /// A TCP host (name, IPv4 or IPv6 address) and port.
        case tcp(host: String, port: Int)
        /// A unix domain socket.
        case unix(path: String)

        /// `host:port`, `[ipv6]:port` or `unix:/path`, as written in messages.
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
    /// How long connecting (all attempts with backoff, plus AUTH/SELECT) may take in total. In a cluster it also
    /// bounds how long one call keeps retrying while its slot has no reachable primary (a failover, `-CLUSTERDOWN`,
    /// `-TRYAGAIN`).
    public var connectTimeout: Duration
    /// How long one command may wait for its reply.
    public var commandTimeout: Duration
    /// Other nodes of the same Redis Cluster, tried in turn after `endpoint` (seeds for discovery and failover);
    /// empty for a single Redis.
    public var additionalEndpoints: [Endpoint]
    /// How many replicas each write through the store must reach before it counts as done (`WAIT` after it on
    /// the same connection); 0 does not wait: Redis's asynchronous replication may then lose the writes a primary
    /// acknowledged just before it failed.
    public var replicasPerWrite = 0
    /// How long a write waits for `replicasPerWrite`.
    public var replicationTimeout = Duration.seconds(2)

    /// Creates a configuration.
    public init(
        endpoint: Endpoint,
        username: String? = nil,
        password: String? = nil,
        database: Int = 0,
        connectTimeout: Duration = .seconds(3),
        commandTimeout: Duration = .seconds(10),
        additionalEndpoints: [Endpoint] = []
    ) {
        self.endpoint = endpoint
        self.username = username
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.additionalEndpoints = additionalEndpoints
    }

    /// Parses `redis://[user:password@]host[:port][,host[:port]…][/db]` or `unix:///path/to/socket[?db=N]`.
    ///
    /// User and password may be percent-encoded; an IPv6 host is written in brackets. Hosts after the first are
    /// `additionalEndpoints` (other nodes of the same cluster).
    public init(url: String) throws {
        func invalid(_ why: String) -> RedisError {
            RedisError(
                .invalidURL,
                "invalid Redis URL '\(url)': \(why); expected redis://[user:password@]host:port[,host:port…][/db] or unix:///path"
            )
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
        let hosts = try rest.split(separator: ",", omittingEmptySubsequences: false).map {
            try Self.endpoint($0, invalid: invalid)
        }
        self.init(
            endpoint: hosts[0], username: username, password: password, database: database,
            additionalEndpoints: Array(hosts.dropFirst()))
    }

    /// `host[:port]` or `[ipv6][:port]`; an empty host is 127.0.0.1, a missing port 6379.
    private static func endpoint(_ text: Substring, invalid: (String) -> RedisError) throws -> Endpoint {
        var host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw invalid("unclosed IPv6 bracket") }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if after.hasPrefix(":") {
                portText = after.dropFirst()
            } else if !after.isEmpty {
                throw invalid("junk after ]")
            }
        } else if let colon = text.firstIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        } else {
            host = text
        }
        if host.isEmpty { host = "127.0.0.1" }
        var port = 6379
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw invalid("the port must be 1-65535")
            }
            port = value
        }
        return .tcp(host: String(host), port: port)
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
