/// Checks of ids and texts, shared by every interface so a bad input is refused before it reaches Redis.
///
/// Redis functions check the same rules again: they are the authority, these give early, precise errors.
public enum Validation {
    /// Whether `value` is a valid id (see `identifier`).
    public static func isIdentifier(_ value: String) -> Bool {
        let bytes = value.utf8
        return !bytes.isEmpty && bytes.count <= Limits.identifierLength && bytes.allSatisfy(isIdentifierByte)
    }

    /// An id: 1–128 of `A–Z a–z 0–9 . _ - :` — nothing that can break a hash tag (`{}`), a key or a line.
    public static func identifier(_ value: String, _ what: String) throws(MaestroError) {
        guard isIdentifier(value) else {
            throw MaestroError(
                .invalidInput,
                "invalid \(what) \(quoted(value)): use 1-\(Limits.identifierLength) letters, digits, "
                    + "'.', '_', '-' or ':'"
            )
        }
    }

    /// A task title: 1–500 characters, no control characters.
    public static func title(_ value: String) throws(MaestroError) {
        let count = value.unicodeScalars.count
        guard count >= 1, count <= Limits.titleLength else {
            throw MaestroError(.invalidInput, "a title must be 1-\(Limits.titleLength) characters (got \(count))")
        }
        guard !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw MaestroError(.invalidInput, "a title must not contain control characters or line breaks")
        }
    }

    /// Free text (description, notes): at most `limit` UTF-8 bytes, no NUL or control characters but tab and newlines.
    public static func text(_ value: String, _ what: String, limit: Int) throws(MaestroError) {
        guard value.utf8.count <= limit else {
            throw MaestroError(.invalidInput, "\(what) must be at most \(limit) bytes (got \(value.utf8.count))")
        }
        let forbidden = value.unicodeScalars.contains { scalar in
            (scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r") || scalar.value == 0x7F
        }
        guard !forbidden else {
            throw MaestroError(.invalidInput, "\(what) must not contain control characters other than tab and newline")
        }
    }

    /// Raw bytes that must be valid UTF-8 (command-line arguments and request bodies arrive as bytes).
    public static func utf8(_ bytes: some Collection<UInt8>, _ what: String) throws(MaestroError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw MaestroError(.invalidInput, "\(what) is not valid UTF-8")
        }
        return text
    }

    private static func isIdentifierByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"),
            UInt8(ascii: ":"):
            true
        default: false
        }
    }

    /// Shows a bad value safely: escaped (no line breaks or terminal controls get through), and cut when long.
    public static func quoted(_ value: String) -> String {
        let shown = value.unicodeScalars.prefix(60).map { $0.escaped(asASCII: false) }.joined()
        return "'\(shown)\(value.unicodeScalars.count > 60 ? "…" : "")'"
    }
}
