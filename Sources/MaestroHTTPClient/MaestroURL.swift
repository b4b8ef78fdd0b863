/// Where maestro-server is (MAESTRO_URL): `http://` or `https://`, a host, an optional port and base path.
public struct MaestroURL: Equatable, Sendable {
    public var isSecure: Bool
    public var host: String
    public var port: Int
    /// A path prefix when the server sits under one behind a proxy (`/maestro`), else empty.
    public var basePath: String

    /// Parses `http[s]://host[:port][/base]`; an IPv6 host is written in brackets.
    public init(_ text: String) throws(TransportFailure.Parse) {
        if text.hasPrefix("https://") {
            isSecure = true
        } else if text.hasPrefix("http://") {
            isSecure = false
        } else {
            throw .init(message: "MAESTRO_URL must be http://host[:port] or https://host[:port] (got '\(text)')")
        }
        var rest = Substring(text.dropFirst(isSecure ? "https://".count : "http://".count))
        basePath = ""
        if let slash = rest.firstIndex(of: "/") {
            let path = rest[slash...].drop { $0 == "/" }
            basePath = path.isEmpty ? "" : "/" + path.reversed().drop { $0 == "/" }.reversed()
            rest = rest[..<slash]
        }
        var portText: Substring?
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { host = "" }
        } else {
            let parts = rest.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            host = String(parts[0])
            if parts.count == 2 { portText = parts[1] }
        }
        guard !host.isEmpty, !host.contains("@") else { throw .init(message: "MAESTRO_URL has no host: '\(text)'") }
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw .init(message: "MAESTRO_URL has a bad port: '\(text)'")
            }
            port = value
        } else {
            port = isSecure ? 443 : 80
        }
    }

    /// `host:port` as the Host header wants it.
    public var authority: String { (host.contains(":") ? "[\(host)]" : host) + ":\(port)" }
    /// `scheme://host:port`, for messages.
    public var origin: String { (isSecure ? "https://" : "http://") + authority }
}
