/// What kind of network an IP address is on, for refusing webhook targets that would reach into the server's own
/// networks (server-side request forgery): only addresses on the public internet are delivered to, unless the server
/// runs with `--allow-private-webhook-targets`.
public enum TargetAddress {
    /// Why an address is not public; nil for a public one.
    public enum Refusal: String, Sendable, Equatable {
        case unspecified, loopback, `private`, sharedAddressSpace = "shared address space (CGNAT)"
        case linkLocal = "link-local", multicast, broadcast, reserved, documentation, benchmarking
        case uniqueLocal = "unique local", siteLocal = "site-local", ipv4Mapped = "IPv4-mapped"
        case ipv4Compatible = "IPv4-compatible", teredo = "Teredo", protocolAssignments = "IETF protocol assignments"
    }

    /// Classifies an address given as its 4 (IPv4) or 16 (IPv6) bytes in network order; any other length is
    /// `reserved`.
    public static func refusal(_ bytes: [UInt8]) -> Refusal? {
        switch bytes.count {
        case 4: ipv4(bytes)
        case 16: ipv6(bytes)
        default: .reserved
        }
    }

    /// The address in its usual text form (dotted quad, or RFC 5952 IPv6 without brackets).
    public static func text(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        guard bytes.count == 16 else { return "?" }
        let groups = stride(from: 0, to: 16, by: 2).map { Int(bytes[$0]) << 8 | Int(bytes[$0 + 1]) }
        // The longest run of two or more zero groups becomes "::".
        var best = (start: -1, length: 0)
        var index = 0
        while index < 8 {
            var end = index
            while end < 8 && groups[end] == 0 { end += 1 }
            if end - index > best.length && end - index >= 2 { best = (index, end - index) }
            index = end == index ? index + 1 : end
        }
        let hex = groups.map { String($0, radix: 16) }
        guard best.start >= 0 else { return hex.joined(separator: ":") }
        return hex[..<best.start].joined(separator: ":") + "::"
            + hex[(best.start + best.length)...].joined(separator: ":")
    }

    private static func ipv4(_ b: [UInt8]) -> Refusal? {
        switch (b[0], b[1], b[2]) {
        case (0, _, _): .unspecified  // "this network" (0.0.0.0/8)
        case (10, _, _), (172, 16...31, _), (192, 168, _): .private
        case (100, 64...127, _): .sharedAddressSpace
        case (127, _, _): .loopback
        case (169, 254, _): .linkLocal
        case (192, 0, 0): .protocolAssignments
        case (192, 0, 2), (198, 51, 100), (203, 0, 113): .documentation
        case (198, 18...19, _): .benchmarking
        case (224...239, _, _): .multicast
        case (255, 255, 255) where b[3] == 255: .broadcast
        case (240...255, _, _): .reserved
        default: nil
        }
    }

    private static func ipv6(_ b: [UInt8]) -> Refusal? {
        let zeroPrefix = b[0..<10].allSatisfy { $0 == 0 }
        if zeroPrefix && b[10] == 0xFF && b[11] == 0xFF { return .ipv4Mapped }  // ::ffff:a.b.c.d
        if b[0..<12].allSatisfy({ $0 == 0 }) {
            if b[12..<15].allSatisfy({ $0 == 0 }) && b[15] <= 1 { return b[15] == 0 ? .unspecified : .loopback }
            return .ipv4Compatible  // ::a.b.c.d (deprecated)
        }
        // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) reach the IPv4 address inside them.
        if b[0..<12] == [0, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0] { return ipv4(Array(b[12..<16])) }
        if b[0] == 0x20 && b[1] == 0x02 { return ipv4(Array(b[2..<6])) }
        if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0 { return .teredo }  // 2001::/32
        if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8 { return .documentation }  // 2001:db8::/32
        if b[0] & 0xFE == 0xFC { return .uniqueLocal }  // fc00::/7
        if b[0] == 0xFE && b[1] & 0xC0 == 0x80 { return .linkLocal }  // fe80::/10
        if b[0] == 0xFE && b[1] & 0xC0 == 0xC0 { return .siteLocal }  // fec0::/10
        if b[0] == 0xFF { return .multicast }
        if b[0] & 0xE0 != 0x20 { return .reserved }  // only 2000::/3 is global unicast
        return nil
    }
}
