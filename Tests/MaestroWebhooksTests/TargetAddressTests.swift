import MaestroDomain
import MaestroWebhooks
import Testing

@Suite("Webhook targets: URLs and the addresses they may reach")
struct TargetAddressTests {
    static func bytes(_ text: String) -> [UInt8] { WebhookTarget.address(text)! }

    @Test(
        "non-public addresses are refused, each with its reason",
        arguments: [
            ("0.0.0.0", "unspecified"), ("0.1.2.3", "unspecified"), ("127.0.0.1", "loopback"), ("127.255.0.9", "loopback"),
            ("10.0.0.1", "private"), ("172.16.0.1", "private"), ("172.31.255.255", "private"), ("192.168.1.1", "private"),
            ("100.64.0.1", "shared address space (CGNAT)"), ("100.127.255.254", "shared address space (CGNAT)"),
            ("169.254.169.254", "link-local"), ("192.0.0.8", "IETF protocol assignments"),
            ("192.0.2.1", "documentation"), ("198.51.100.7", "documentation"), ("203.0.113.9", "documentation"),
            ("198.18.0.1", "benchmarking"), ("224.0.0.1", "multicast"), ("239.255.255.250", "multicast"),
            ("240.0.0.1", "reserved"), ("255.255.255.255", "broadcast"),
            ("::", "unspecified"), ("::1", "loopback"), ("::ffff:127.0.0.1", "IPv4-mapped"),
            ("::ffff:8.8.8.8", "IPv4-mapped"), ("::10.0.0.1", "IPv4-compatible"), ("fc00::1", "unique local"),
            ("fd12:3456::1", "unique local"), ("fe80::1", "link-local"), ("febf::1", "link-local"),
            ("fec0::1", "site-local"), ("ff02::1", "multicast"), ("2001:db8::1", "documentation"),
            ("2001:0:4136:e378::1", "Teredo"), ("64:ff9b::a00:1", "private"), ("64:ff9b::7f00:1", "loopback"),
            ("2002:c0a8:101::1", "private"), ("4000::1", "reserved"), ("100::1", "reserved"),
        ])
    func refused(address: String, reason: String) {
        #expect(TargetAddress.refusal(Self.bytes(address))?.rawValue == reason)
    }

    @Test(
        "public addresses are allowed",
        arguments: [
            "8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.1", "100.63.255.255", "100.128.0.1", "169.253.0.1",
            "192.0.1.1", "198.17.255.255", "198.20.0.1", "223.255.255.255", "2606:4700:4700::1111", "2a00:1450::1",
            "64:ff9b::808:808", "2002:808:808::1",
        ])
    func allowed(address: String) {
        #expect(TargetAddress.refusal(Self.bytes(address)) == nil, "\(address)")
    }

    @Test("addresses print in their usual form")
    func text() {
        for text in ["8.8.8.8", "::1", "::", "fe80::1", "2001:db8::8:800:200c:417a", "2606:4700:4700::1111", "1:0:1:0:1:0:1:0"] {
            #expect(TargetAddress.text(Self.bytes(text)) == text)
        }
        #expect(TargetAddress.refusal([1, 2, 3]) == .reserved)
    }

    @Test("only http and https URLs with a host, no credentials or fragment; IP literals are recognised")
    func urls() throws {
        let plain = try WebhookTarget("https://hooks.slack.com/services/T0/B0/xyz")
        #expect(plain.scheme == .https && plain.host == "hooks.slack.com" && plain.port == 443)
        #expect(plain.literalAddress == nil)
        let local = try WebhookTarget("http://127.0.0.1:8765/hook?x=1")
        #expect(local.port == 8765 && local.literalAddress == [127, 0, 0, 1])
        let v6 = try WebhookTarget("HTTP://[::1]:9/")
        #expect(v6.scheme == .http && v6.host == "::1" && v6.literalAddress?.count == 16)
        // Not a strict IP literal: resolved like a name, and the resolver's answer is what gets checked.
        #expect(try WebhookTarget("http://127.1/").literalAddress == nil)
        for bad in [
            "", "ftp://example.com/", "file:///etc/passwd", "example.com/hook", "http://", "http:///path",
            "https://user:pw@example.com/", "https://example.com/#frag", "https://exa mple.com/", "https://exämple.com/",
            "http://example.com:0/", "http://example.com:70000/", "gopher://example.com/", "javascript:alert(1)",
            "https://" + String(repeating: "a", count: 2050) + ".com/",
        ] {
            #expect(throws: MaestroError.self, "\(bad)") { try WebhookTarget(bad) }
        }
    }
}
