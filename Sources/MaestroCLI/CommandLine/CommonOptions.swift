import MaestroDomain

/// Options several commands share, and how to read them.
enum CommonOptions {
    /// `--json`, for commands that print records.
    static let json = OptionSpec.flag("json", help: "Print JSON (the spec's field names) instead of text.")

    /// `--json`, for commands that print a report (migrate, import).
    static let reportJSON = OptionSpec.flag("json", help: "Print the full report as JSON instead of the summary.")

    /// `--idempotency-key`, for commands that change something.
    static let idempotencyKey = OptionSpec.value(
        "idempotency-key", "key",
        help: "Makes retries of this change apply once; pass the same key when re-running a command whose outcome "
            + "you did not see (default: a fresh key per invocation).")

    /// The key to send: the one given, or a fresh one, so a resend after a lost connection cannot apply twice.
    static func idempotencyKey(in arguments: ParsedArguments) throws -> String {
        guard let key = arguments.value("idempotency-key") else { return RandomIdentifier.make(prefix: "cli") }
        try Validation.identifier(key, "idempotency key")
        return key
    }

    /// The `--project` a command was given, checked; nil when none.
    static func project(in arguments: ParsedArguments) throws -> String? {
        guard let project = arguments.value("project") else { return nil }
        try Validation.identifier(project, "project id")
        return project
    }

    /// The raw values of a string enum, for `allowed:` lists.
    static func names<Value: RawRepresentable<String> & CaseIterable>(_ type: Value.Type) -> [String] {
        Value.allCases.map(\.rawValue)
    }
}
