import MaestroDomain

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// A webhook's URL, checked: http or https, a host, no credentials or fragment, at most 2,048 printable ASCII
/// characters (international names in their `xn--` form).
public struct WebhookTarget: Sendable, Equatable {
    public enum Scheme: String, Sendable {
        case http, https

        public var defaultPort: Int { self == .http ? 80 : 443 }
    }

    /// The URL as given.
    public let url: String
    public let scheme: Scheme
    /// The host name or address, IPv6 without brackets.
    public let host: String
    public let port: Int
    /// The host's address when the URL names one (4 or 16 bytes) rather than a name.
    public let literalAddress: [UInt8]?

    public init(_ text: String) throws(MaestroError) {
        func refuse(_ why: String) -> MaestroError {
            MaestroError(.invalidInput, "url '\(text.prefix(120))' cannot be used: \(why)")
        }
        guard !text.isEmpty, text.utf8.count <= Webhook.maxURLLength else {
            throw refuse("give an http or https URL of at most \(Webhook.maxURLLength) characters")
        }
        guard text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw refuse("only printable ASCII without spaces (percent-encode the rest; xn-- for international names)")
        }
        guard let components = URLComponents(string: text), let schemeText = components.scheme?.lowercased() else {
            throw refuse("it is not a URL")
        }
        guard let scheme = Scheme(rawValue: schemeText) else { throw refuse("only http and https are delivered to") }
        guard components.user == nil && components.password == nil else {
            throw refuse("credentials in the URL are not supported (put a token in the path or query)")
        }
        guard components.fragment == nil else { throw refuse("a URL with a #fragment is not sent anywhere") }
        guard var host = components.percentEncodedHost, !host.isEmpty else { throw refuse("it has no host") }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard host.utf8.allSatisfy({ Self.hostBytes.contains($0) }) else {
            throw refuse("the host may only hold letters, digits, '.', '-', '_' (or an [IPv6] address)")
        }
        if let port = components.port, !(1...65535).contains(port) { throw refuse("the port must be 1-65535") }
        url = text
        self.scheme = scheme
        self.host = host.lowercased()
        port = components.port ?? scheme.defaultPort
        literalAddress = Self.address(host)
    }

    private static let hostBytes = Set(Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:%".utf8))

    /// The bytes of an IPv4 or IPv6 address in text (the strict forms inet_pton reads), or nil for a name.
    public static func address(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}
