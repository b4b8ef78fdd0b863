/// Fresh ids and secrets from the system's cryptographic random source.
public enum RandomIdentifier {
    private static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)

    /// A new id such as `task_5h2k…`: the prefix, an underscore and 20 random base-32 characters (100 bits).
    public static func make(prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let suffix = (0..<20).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
        return prefix + "_" + String(decoding: suffix, as: UTF8.self)
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
