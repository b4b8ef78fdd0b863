/// Fresh ids and secrets from the system's cryptographic random source.
public enum RandomIdentifier {
    private static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)

    /// A new id such as `task_5h2k…`: the prefix, an underscore and 20 random base-32 characters (100 bits).
    public static func make(prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let suffix = (0..<20).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
        return prefix + "_" + String(decoding: suffix, as: UTF8.self)
    }

    /// The id a request with idempotency key `key` names, the same on every retry: the prefix, an underscore and 20
    /// base-32 characters of a 128-bit hash of the prefix and the key (two FNV-1a lanes). Ids are not secrets; a
    /// collision would only make a create fail as a conflict.
    public static func make(prefix: String, derivedFrom key: String) -> String {
        var lanes: [UInt64] = [0xcbf2_9ce4_8422_2325, 0x6c62_272e_07bb_0142]
        for byte in Array((prefix + "\u{0}" + key).utf8) {
            for lane in lanes.indices { lanes[lane] = (lanes[lane] ^ UInt64(byte)) &* 0x100_0000_01b3 }
        }
        let suffix = (0..<20).map { index in
            alphabet[Int((lanes[index / 10] >> UInt64(index % 10 * 5)) & 31)]
        }
        return prefix + "_" + String(decoding: suffix, as: UTF8.self)
    }

    /// A fresh id, or with an idempotency key the one that key always names (a retried create names the same).
    public static func make(prefix: String, idempotencyKey: String?) -> String {
        idempotencyKey.map { make(prefix: prefix, derivedFrom: $0) } ?? make(prefix: prefix)
    }

    /// A new session token: `mst_` and 64 hex digits (256 bits).
    public static func token() -> String {
        var generator = SystemRandomNumberGenerator()
        let words = (0..<4).map { _ in generator.next() as UInt64 }
        return "mst_"
            + words.map { word in
                let hex = String(word, radix: 16)
                return String(repeating: "0", count: 16 - hex.count) + hex
            }.joined()
    }
}
