import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A webhook's signing secret as the Standard Webhooks specification writes it: `whsec_` and the base64 of the key's
/// bytes (32 random bytes for the secrets Maestro makes).
public struct WebhookSecret: Sendable, Equatable, CustomStringConvertible {
    /// The prefix of the text form.
    public static let prefix = "whsec_"

    /// The HMAC key.
    public let key: SymmetricKey

    /// A new secret of 32 bytes from the system's cryptographic random source.
    public static func generate() -> WebhookSecret {
        WebhookSecret(key: SymmetricKey(size: .bits256))
    }

    private init(key: SymmetricKey) { self.key = key }

    /// Reads `whsec_<base64>`; nil for anything else (no prefix, bad base64, no bytes).
    public init?(_ text: String) {
        guard text.hasPrefix(Self.prefix), let bytes = Data(base64Encoded: String(text.dropFirst(Self.prefix.count))),
            !bytes.isEmpty
        else { return nil }
        key = SymmetricKey(data: bytes)
    }

    /// `whsec_<base64>`.
    public var text: String {
        Self.prefix + key.withUnsafeBytes { Data($0).base64EncodedString() }
    }

    /// Never the secret itself.
    public var description: String { "whsec_…" }
}
