import MaestroDomain

/// What the command line said, checked against the command's spec.
struct ParsedArguments: Sendable {
    /// The positional arguments, by their spec's name.
    var arguments: [String: [String]] = [:]
    /// The option values, by option name, in the order given.
    var options: [String: [String]] = [:]

    /// The single value of a positional argument or option.
    func value(_ name: String) -> String? {
        arguments[name]?.first ?? options[name]?.last
    }

    /// All values of a repeating argument or repeatable option.
    func values(_ name: String) -> [String] {
        arguments[name] ?? options[name] ?? []
    }

    /// Whether a flag was given.
    func flag(_ name: String) -> Bool {
        options[name] != nil
    }

    /// The value of an option whose values are the raw values of `Value` (already checked by the parser).
    func value<Value: RawRepresentable<String>>(_ name: String, as type: Value.Type) -> Value? {
        value(name).flatMap(Value.init(rawValue:))
    }

    /// A whole-number option within `range`, or `defaultValue` when absent.
    func integer(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = value(name) else { return defaultValue }
        guard let number = Int(text), range.contains(number) else {
            throw UsageError("--\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }
}

/// A command line that does not fit the command: printed with the usage line, exit code 64.
struct UsageError: Error {
    var message: String
    /// The command whose usage to show; filled in by the parser.
    var commandPath: [CommandSpec] = []

    init(_ message: String) { self.message = message }
}
