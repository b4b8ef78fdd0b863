import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The Standard Webhooks signature (https://www.standardwebhooks.com): HMAC-SHA256 of `<id>.<timestamp>.<body>`
/// keyed with the secret's bytes, written `v1,<base64>` in the `webhook-signature` header next to `webhook-id` and
/// `webhook-timestamp` (seconds since 1970). Receivers recompute it, compare, and refuse timestamps too far from
/// their clock.
public enum WebhookSignature {
    /// The three headers of one signed request.
    public static func headers(id: String, timestamp: Int64, body: [UInt8], secret: WebhookSecret)
        -> [(name: String, value: String)]
    {
        [
            ("webhook-id", id), ("webhook-timestamp", String(timestamp)),
            ("webhook-signature", sign(id: id, timestamp: timestamp, body: body, secret: secret)),
        ]
    }

    /// `v1,` and the base64 of HMAC-SHA256(secret, `id.timestamp.body`).
    public static func sign(id: String, timestamp: Int64, body: [UInt8], secret: WebhookSecret) -> String {
        var authenticator = HMAC<SHA256>(key: secret.key)
        authenticator.update(data: Array("\(id).\(timestamp).".utf8))
        authenticator.update(data: body)
        return "v1," + Data(authenticator.finalize()).base64EncodedString()
    }
}
