import MaestroDomain

/// Parses `maestro` command lines against the command tree: subcommand names first, then positional
/// arguments and `--options` in any order (`--name value` or `--name=value`; `--` ends the options).
enum CommandLineParser {
    /// What the user asked for.
    enum Request {
        case run([CommandSpec], ParsedArguments)
        case help([CommandSpec])
    }

    static func parse(_ words: [String], root: CommandSpec) throws -> Request {
        var path = [root]
        var index = 0
        // Walk down the subcommands; `help <command>...` shows help for that command.
        while index < words.count {
            let word = words[index]
            if word == "help" && path.count == 1 {
                var helpPath = path
                for name in words[(index + 1)...] {
                    guard let next = helpPath.last!.subcommand(named: name) else { break }
                    helpPath.append(next)
                }
                return .help(helpPath)
            }
            guard let next = path.last!.subcommand(named: word) else { break }
            path.append(next)
            index += 1
        }
        let command = path.last!
        let rest = Array(words[index...])
        let asksForHelp = asksForHelp(rest, command: command)
        if command.run == nil, !asksForHelp, let first = rest.first {
            // A group takes only a subcommand: anything else is a mistake, not a request for help.
            let kind = first.hasPrefix("-") ? "option" : "command"
            throw failure(
                "unknown \(kind) \(Validation.quoted(first)) for '\(path.map(\.name).joined(separator: " "))'", path)
        }
        if asksForHelp || command.run == nil { return .help(path) }
        do {
            return .run(path, try arguments(rest, for: command))
        } catch var error as UsageError {
            error.commandPath = path
            throw error
        }
    }

    /// Whether `--help` or `-h` stands among the options, not as an option's value (`--notes -h` is a note).
    private static func asksForHelp(_ words: [String], command: CommandSpec) -> Bool {
        var index = 0
        while index < words.count, words[index] != "--" {
            let word = words[index]
            if word == "--help" || word == "-h" { return true }
            if word.hasPrefix("--"), !word.contains("="),
                command.option(named: String(word.dropFirst(2)))?.valueName != nil
            {
                index += 1  // the next word is this option's value
            }
            index += 1
        }
        return false
    }

    private static func arguments(_ words: [String], for command: CommandSpec) throws -> ParsedArguments {
        var parsed = ParsedArguments()
        var positionals: [String] = []
        var index = 0
        var optionsEnded = false
        while index < words.count {
            let word = words[index]
            index += 1
            if optionsEnded || !word.hasPrefix("--") || word.count == 2 {
                if word == "--" && !optionsEnded { optionsEnded = true } else { positionals.append(word) }
                continue
            }
            var name = String(word.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard let option = command.option(named: name) else {
                throw UsageError("unknown option \(Validation.quoted("--" + name))")
            }
            if parsed.options[name] != nil && !option.isRepeatable {
                throw UsageError("--\(name) is given more than once")
            }
            guard let valueName = option.valueName else {
                guard inlineValue == nil else { throw UsageError("--\(name) takes no value") }
                parsed.options[name, default: []].append("")
                continue
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else {
                guard index < words.count else { throw UsageError("--\(name) needs a value (<\(valueName)>)") }
                value = words[index]
                index += 1
            }
            if let allowed = option.allowedValues, !allowed.contains(value) {
                throw UsageError(
                    "\(Validation.quoted(value)) is not a valid --\(name); use one of: \(allowed.joined(separator: ", "))"
                )
            }
            parsed.options[name, default: []].append(value)
        }
        for option in command.options where option.isRequired && parsed.options[option.name] == nil {
            throw UsageError("missing --\(option.name) <\(option.valueName ?? "value")>")
        }
        for argument in command.arguments {
            if positionals.isEmpty && argument.isOptional { continue }
            guard !positionals.isEmpty else { throw UsageError("missing <\(argument.name)>") }
            if argument.isRepeating {
                parsed.arguments[argument.name] = positionals
                positionals = []
            } else {
                parsed.arguments[argument.name] = [positionals.removeFirst()]
            }
        }
        if let extra = positionals.first { throw UsageError("unexpected argument \(Validation.quoted(extra))") }
        return parsed
    }

    private static func failure(_ message: String, _ path: [CommandSpec]) -> UsageError {
        var error = UsageError(message)
        error.commandPath = path
        return error
    }
}
