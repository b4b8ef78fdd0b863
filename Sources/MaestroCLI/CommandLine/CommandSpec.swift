/// A command of the CLI described as data: its name, help texts, inputs, subcommands and action.
///
/// The CLI parses its own command line (see `CommandLineParser`) instead of using a reflection-based
/// library: `maestro task update` runs in every agent container many times a day, and reflection was
/// three quarters of its start-up cost (docs/benchmarks.md).
struct CommandSpec: Sendable {
    var name: String
    var abstract: String
    var discussion: String = ""
    var arguments: [ArgumentSpec] = []
    var options: [OptionSpec] = []
    var subcommands: [CommandSpec] = []
    /// What the command does; nil for a group that only holds subcommands.
    var run: (@Sendable (ParsedArguments) throws -> Void)?

    func subcommand(named name: String) -> CommandSpec? {
        subcommands.first { $0.name == name }
    }

    func option(named name: String) -> OptionSpec? {
        options.first { $0.name == name }
    }
}

/// A positional argument.
struct ArgumentSpec: Sendable {
    var name: String
    var help: String
    /// Takes every remaining positional argument (at least one).
    var isRepeating = false
    /// May be left out.
    var isOptional = false
}

/// A `--name value` option or a `--name` flag.
struct OptionSpec: Sendable {
    var name: String
    var help: String
    /// The placeholder shown in help; nil makes this a flag that takes no value.
    var valueName: String?
    /// The accepted values, when only a few are.
    var allowedValues: [String]?
    var isRequired = false
    var isRepeatable = false

    /// A flag (no value).
    static func flag(_ name: String, help: String) -> OptionSpec {
        OptionSpec(name: name, help: help)
    }

    /// An option with a value.
    static func value(
        _ name: String, _ valueName: String, help: String, allowed: [String]? = nil, required: Bool = false,
        repeatable: Bool = false
    ) -> OptionSpec {
        OptionSpec(
            name: name, help: help, valueName: valueName, allowedValues: allowed, isRequired: required,
            isRepeatable: repeatable)
    }
}
