import ArgumentParser
import MaestroDomain

/// `--json` for commands that print records.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON (the spec's field names) instead of text.")
    var json = false
}

/// `--idempotency-key` for commands that change something.
struct WriteOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "A key that makes retries of this change apply once (default: a fresh key per invocation).",
            discussion: "Pass the same key when a script re-runs a command whose outcome it did not see."))
    var idempotencyKey: String?

    /// The key to send: the one given, or a fresh one, so a resend after a lost connection cannot apply twice.
    func key() throws -> String {
        if let idempotencyKey {
            try Validation.identifier(idempotencyKey, "idempotency key")
            return idempotencyKey
        }
        return RandomIdentifier.make(prefix: "cli")
    }
}
